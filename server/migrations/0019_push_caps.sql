-- Caps on buyers' subscriptions (caps.rs): who subscribed, as a keyed digest of the client's
-- address (never the address), counted per address across the server; and the age they are
-- forgotten by (store::retention), delivered or not.
ALTER TABLE push_subscriptions ADD COLUMN client TEXT;
CREATE INDEX push_subscriptions_client ON push_subscriptions (client);
CREATE INDEX push_subscriptions_created ON push_subscriptions (created_ms);
