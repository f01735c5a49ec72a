-- A second counter beside the config epoch, moved only by changes of stream configs and DVR
-- deletion requests (not by scheduling): with each host's assignments and server state it tells
-- the control plane whether an agent's steady report can be answered from memory.
ALTER TABLE config_epoch ADD COLUMN content_epoch BIGINT NOT NULL DEFAULT 1;
