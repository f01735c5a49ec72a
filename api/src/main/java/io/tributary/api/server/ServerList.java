package io.tributary.api.server;

import java.util.List;

/** Every server of the cluster. */
public record ServerList(List<ServerConfig> servers) {
}
