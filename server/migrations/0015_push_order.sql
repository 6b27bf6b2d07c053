-- A subscription's messages in the order they were queued: each is sent only after the ones
-- before it are done, so that however many instances send, a phone never ends on an older status.
ALTER TABLE push_messages ADD COLUMN seq BIGINT NOT NULL DEFAULT 0;
