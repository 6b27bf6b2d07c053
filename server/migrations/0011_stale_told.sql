-- The moment of the last change a shipment had when its seller's receivers were told it had gone
-- stale: told once per silence, and again only after it moved and went quiet anew.
ALTER TABLE shipments ADD COLUMN stale_told_ms BIGINT;
