-- Tributary schema, version 1. Desired state (written by the control plane) and observed
-- state (written only from agent reports) live in separate tables so neither side writes the
-- other's fields.

-- Generations grow on every move of every stream, cluster-wide, and never repeat, even when a
-- stream is deleted and created again.
CREATE SEQUENCE assignment_generation_seq START WITH 1;

CREATE TABLE streams (
    name        VARCHAR(128) PRIMARY KEY,
    config      JSONB        NOT NULL,       -- the desired config as the operator wrote it
    is_static   BOOLEAN      NOT NULL,
    disabled    BOOLEAN      NOT NULL,
    version     BIGINT       NOT NULL DEFAULT 0,  -- optimistic lock, exposed as ETag
    restart_seq BIGINT       NOT NULL DEFAULT 0,  -- bumped by POST .../restart
    created_at  TIMESTAMPTZ  NOT NULL DEFAULT now(),
    updated_at  TIMESTAMPTZ  NOT NULL DEFAULT now()
);

CREATE TABLE servers (
    hostname            VARCHAR(253) PRIMARY KEY,
    api_url             TEXT,
    public_payload_url  TEXT,
    private_payload_url TEXT,
    roles               TEXT         NOT NULL DEFAULT 'ingest,edge',
    group_name          VARCHAR(128) NOT NULL DEFAULT 'default',
    channel_limit       INTEGER,
    max_bitrate         BIGINT,
    draining            BOOLEAN      NOT NULL DEFAULT false,
    -- up/down as the control plane's failure detector decides it from report times
    status              VARCHAR(16)  NOT NULL DEFAULT 'down',
    status_changed_at   TIMESTAMPTZ  NOT NULL DEFAULT now(),
    version             BIGINT       NOT NULL DEFAULT 0,
    created_at          TIMESTAMPTZ  NOT NULL DEFAULT now()
);

-- Observed: the last report of each agent (written only from PUT /api/v1/agents/{host}).
CREATE TABLE server_reports (
    hostname         VARCHAR(253) PRIMARY KEY REFERENCES servers (hostname) ON DELETE CASCADE,
    last_seen_at     TIMESTAMPTZ  NOT NULL,
    agent_started_at BIGINT,
    agent_version    VARCHAR(64),
    stats            JSONB
);

-- Observed: one row per stream an agent reported running, with the generation it runs.
CREATE TABLE stream_reports (
    stream_name  VARCHAR(128) NOT NULL,
    hostname     VARCHAR(253) NOT NULL REFERENCES servers (hostname) ON DELETE CASCADE,
    generation   BIGINT,
    status       VARCHAR(16)  NOT NULL,
    report       JSONB        NOT NULL,
    reported_at  TIMESTAMPTZ  NOT NULL,
    PRIMARY KEY (stream_name, hostname)
);
CREATE INDEX stream_reports_host ON stream_reports (hostname);

-- Desired: where each stream is captured. hostname NULL means waiting (reason says why).
CREATE TABLE assignments (
    stream_name            VARCHAR(128) PRIMARY KEY REFERENCES streams (name) ON DELETE CASCADE,
    hostname               VARCHAR(253) REFERENCES servers (hostname) ON DELETE SET NULL,
    generation             BIGINT       NOT NULL,
    -- during a drain the previous owner keeps its capture until the new one has a segment
    handoff_from           VARCHAR(253),
    handoff_generation     BIGINT,
    reason                 TEXT,
    media_sequence         BIGINT       NOT NULL DEFAULT 0,
    discontinuity_sequence BIGINT       NOT NULL DEFAULT 0,
    assigned_at            TIMESTAMPTZ  NOT NULL DEFAULT now()
);
CREATE INDEX assignments_host ON assignments (hostname);

CREATE TABLE events (
    id          BIGSERIAL    PRIMARY KEY,
    at          TIMESTAMPTZ  NOT NULL DEFAULT now(),
    type        VARCHAR(32)  NOT NULL,
    stream_name VARCHAR(128),
    hostname    VARCHAR(253),
    generation  BIGINT,
    message     TEXT,
    duration_ms BIGINT
);
CREATE INDEX events_stream ON events (stream_name, id);
CREATE INDEX events_host ON events (hostname, id);

CREATE TABLE api_tokens (
    id           BIGSERIAL    PRIMARY KEY,
    name         VARCHAR(128) NOT NULL,
    role         VARCHAR(16)  NOT NULL CHECK (role IN ('admin', 'viewer')),
    token_hash   VARCHAR(64)     NOT NULL UNIQUE,   -- SHA-256 hex of the secret
    created_at   TIMESTAMPTZ  NOT NULL DEFAULT now(),
    last_used_at TIMESTAMPTZ,
    revoked_at   TIMESTAMPTZ
);

-- Bumped on every change that alters what some host must run; agents poll the config backend
-- with If-None-Match on it.
CREATE TABLE config_epoch (
    id    SMALLINT PRIMARY KEY CHECK (id = 1),
    epoch BIGINT   NOT NULL
);
INSERT INTO config_epoch (id, epoch) VALUES (1, 1);
