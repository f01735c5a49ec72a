-- Managed viewer balancing: one settings document (mode, weights, pins, overrides), versioned.
CREATE TABLE balancer_settings (
    id       SMALLINT PRIMARY KEY CHECK (id = 1),
    settings JSONB    NOT NULL,
    version  BIGINT   NOT NULL DEFAULT 1
);
INSERT INTO balancer_settings (id, settings) VALUES (1, '{}');
