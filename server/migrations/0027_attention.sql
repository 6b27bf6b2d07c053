-- Needs attention (store/attention.rs): each queue of a seller's is a range of an index led by
-- the seller, or by one of the seller's webhooks (a seller has at most 20).
--
-- The last day a pickup point keeps the parcel (its pickup point's storage_until, an ISO date),
-- kept by every write of a shipment (store/shipment_rows.rs). Rows stored before this migration
-- read NULL until the background fill gives it them (shipment_rows::fill_list_columns).
ALTER TABLE shipments ADD COLUMN pickup_until TEXT;
-- Parcels waiting at a pickup point, soonest last day first.
CREATE INDEX shipments_shop_pickup ON shipments (seller_id, stage, pickup_until, id);
-- Shipments with an exception, by kind, last written first.
CREATE INDEX shipments_shop_exception ON shipments (seller_id, exception, written_ms, id);

-- A receiver's deliveries that gave up (failed) or keep failing (pending, tried again and again),
-- newest first, without reading its whole log.
CREATE INDEX webhook_deliveries_attention ON webhook_deliveries
    (webhook_id, state, attempts, queued_at_ms, id);

-- A seller's keys a provider refused (answered 401/403), as the poller, the lookup or a pull
-- last learnt it; forgotten when the keys are replaced or the provider takes them again.
CREATE TABLE key_refusals (
    seller_id BIGINT NOT NULL REFERENCES sellers (id),
    -- ozon, or a carrier's wire name (russian_post, cdek, seventeen_track).
    provider TEXT NOT NULL,
    refused_ms BIGINT NOT NULL,
    -- What the provider said, in the server's words.
    reason TEXT NOT NULL,
    PRIMARY KEY (seller_id, provider)
);
