-- Sellers who post statuses through the seller API, their shipments, and the
-- answers kept for Idempotency-Key retries. Portable SQL, as 0001.
CREATE TABLE sellers (
    id BIGINT PRIMARY KEY,
    name TEXT NOT NULL,
    -- SHA-256 of the bearer token, hex: the token itself is shown once and never stored.
    token_hash TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL
);

-- Demo and imported shipments have no seller; a seller's have its id and its own reference.
ALTER TABLE shipments ADD COLUMN seller_id BIGINT REFERENCES sellers (id);
ALTER TABLE shipments ADD COLUMN reference TEXT;
CREATE UNIQUE INDEX shipments_seller_reference ON shipments (seller_id, reference);

CREATE TABLE idempotency_keys (
    seller_id BIGINT NOT NULL REFERENCES sellers (id),
    idempotency_key TEXT NOT NULL,
    -- SHA-256 of method, path and body: the same key with another request is refused.
    request_hash TEXT NOT NULL,
    status INTEGER NOT NULL,
    body TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (seller_id, idempotency_key)
);
