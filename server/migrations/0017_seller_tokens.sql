-- A seller's bearer tokens, several at once (a shop's backend, a CI job), each named, revoked
-- on its own, and marked when last used (at most once a minute, not on every request). Only
-- the SHA-256 of a token is kept; it is shown once. The one token each seller had moves here,
-- named "first"; sellers.token_hash keeps a value that is no SHA-256 (its column is UNIQUE and
-- NOT NULL, which SQLite cannot drop), so that no credential is left behind in it.
CREATE TABLE seller_tokens (
    id BIGINT PRIMARY KEY,
    seller_id BIGINT NOT NULL REFERENCES sellers (id),
    name TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    last_used_at_ms BIGINT
);
CREATE INDEX seller_tokens_seller ON seller_tokens (seller_id);

INSERT INTO seller_tokens (id, seller_id, name, token_hash, created_at)
SELECT id, id, 'first', token_hash, created_at FROM sellers;
UPDATE sellers SET token_hash = 'seller_tokens:' || CAST(id AS TEXT);

-- Pending webhook deliveries name the shipment they tell of, so that they go with it when it
-- is deleted (those queued before this migration name none).
ALTER TABLE webhook_deliveries ADD COLUMN shipment_id BIGINT;
CREATE INDEX webhook_deliveries_shipment ON webhook_deliveries (shipment_id);
