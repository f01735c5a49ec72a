-- Restreaming and on-demand streams (issue 6).

-- Observed: when someone last wanted an on-demand stream (static = false): an agent asked the
-- control plane where it is captured, or an agent reported viewers or edge pulls of it. The
-- scheduler places an on-demand stream while its demand is younger than its clients_timeout.
CREATE TABLE stream_demand (
    stream_name    VARCHAR(128) PRIMARY KEY REFERENCES streams (name) ON DELETE CASCADE,
    last_demand_at TIMESTAMPTZ  NOT NULL
);

-- Observed: streams an edge pulls from their capturing server (restreams), one row per edge
-- and stream. Kept apart from stream_reports, which counts captures (exactly once, fencing).
CREATE TABLE stream_pulls (
    stream_name     VARCHAR(128) NOT NULL,
    hostname        VARCHAR(253) NOT NULL REFERENCES servers (hostname) ON DELETE CASCADE,
    source_hostname VARCHAR(253),
    status          VARCHAR(16)  NOT NULL,
    report          JSONB        NOT NULL,
    reported_at     TIMESTAMPTZ  NOT NULL,
    PRIMARY KEY (stream_name, hostname)
);
CREATE INDEX stream_pulls_host ON stream_pulls (hostname);
