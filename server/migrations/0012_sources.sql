-- Carriers polled for sellers' shipments: the seller's keys per provider (sealed with the
-- server's key, as Ozon's are), and per shipment the provider polled and when it is due.
CREATE TABLE source_keys (
    seller_id BIGINT NOT NULL REFERENCES sellers (id),
    provider TEXT NOT NULL,
    sealed TEXT NOT NULL,
    PRIMARY KEY (seller_id, provider)
);
ALTER TABLE shipments ADD COLUMN source TEXT;
-- When it is next polled (ms); NULL once there is nothing more to ask.
ALTER TABLE shipments ADD COLUMN next_poll_ms BIGINT;
-- The instance that took it may poll it until then; after, another may.
ALTER TABLE shipments ADD COLUMN poll_leased_until_ms BIGINT;
-- Failures in a row, for the backoff.
ALTER TABLE shipments ADD COLUMN poll_failures INTEGER NOT NULL DEFAULT 0;
ALTER TABLE shipments ADD COLUMN polled_at_ms BIGINT;
CREATE INDEX shipments_due ON shipments (next_poll_ms);
