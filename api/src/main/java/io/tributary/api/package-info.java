/** The wire contract between the control plane, the worker agent and the CLI. */
package io.tributary.api;
