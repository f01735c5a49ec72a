-- The config backend looks up a host's streams by owner and by hand-off source.
CREATE INDEX assignments_handoff_from ON assignments (handoff_from) WHERE handoff_from IS NOT NULL;
