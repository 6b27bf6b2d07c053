-- Sellers' webhook subscriptions, and the deliveries queued for them in the same transaction as
-- the change they tell of, so that a crash loses none and a rolled-back write queues none.
CREATE TABLE webhooks (
    id BIGINT PRIMARY KEY,
    seller_id BIGINT NOT NULL REFERENCES sellers (id),
    url TEXT NOT NULL,
    -- The kinds heard of, space-separated (status_changed ready_for_pickup …).
    kinds TEXT NOT NULL,
    -- The signing secret, sealed with the server's key as providers' keys are.
    secret TEXT NOT NULL,
    -- While a rotation overlaps: the previous secret (sealed), and until when it also signs (ms).
    previous_secret TEXT,
    previous_until_ms BIGINT,
    created_at TEXT NOT NULL
);
CREATE INDEX webhooks_seller ON webhooks (seller_id);

CREATE TABLE webhook_deliveries (
    id BIGINT PRIMARY KEY,
    webhook_id BIGINT NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    body TEXT NOT NULL,
    queued_at_ms BIGINT NOT NULL,
    -- pending, delivered (acknowledged with a 2xx) or failed (tried for a day).
    state TEXT NOT NULL,
    attempts INTEGER NOT NULL,
    next_attempt_ms BIGINT NOT NULL,
    -- The instance that took it may send it until then; after, another may.
    leased_until_ms BIGINT
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (state, next_attempt_ms);

CREATE TABLE webhook_attempts (
    id BIGINT PRIMARY KEY,
    delivery_id BIGINT NOT NULL REFERENCES webhook_deliveries (id) ON DELETE CASCADE,
    at_ms BIGINT NOT NULL,
    -- The receiver's HTTP status, or why there was none.
    status INTEGER,
    error TEXT,
    duration_ms BIGINT NOT NULL
);
CREATE INDEX webhook_attempts_delivery ON webhook_attempts (delivery_id, at_ms);
