-- Observed: the DVR archive each server holds of each stream, from its agent's reports. Kept when
-- the agent dies (its part stays findable and playable when it returns) and when the stream is
-- deleted (the archive lives until its expiration). ranges: JSON [[from, to], ...] in UNIX seconds.
-- delete_requested: DELETE /api/v1/streams/{name}?dvr=true asked the holders to delete it.
CREATE TABLE dvr_ranges (
    stream_name      VARCHAR(128) NOT NULL,
    hostname         VARCHAR(253) NOT NULL,
    from_s           BIGINT,
    depth_s          BIGINT,
    ranges           JSONB        NOT NULL,
    bytes            BIGINT       NOT NULL DEFAULT 0,
    error            TEXT,
    delete_requested BOOLEAN      NOT NULL DEFAULT false,
    updated_at       TIMESTAMPTZ  NOT NULL,
    PRIMARY KEY (stream_name, hostname)
);
CREATE INDEX dvr_ranges_hostname ON dvr_ranges (hostname);
