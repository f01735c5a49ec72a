-- Observed: the agent's last error reaching its config backend (reason, detail, since), or NULL.
ALTER TABLE server_reports ADD COLUMN config_external_error JSONB;
