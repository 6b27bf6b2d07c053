-- What a seller's list of shipments filters and sorts on, kept by every write of a shipment
-- (store/shipment_rows.rs), so that each filter is a range in an index led by the seller.
--
-- When the server first stored the shipment and last wrote it (ms): the contract's updated_at is
-- the carrier's or seller's moment and may be absent. Rows written before this migration read 0
-- here; the store fills them when it opens (shipment_rows::fill_list_columns, which needs
-- the freshness rule SQL does not have), taking their last change as both moments.
ALTER TABLE shipments ADD COLUMN created_ms BIGINT NOT NULL DEFAULT 0;
ALTER TABLE shipments ADD COLUMN written_ms BIGINT NOT NULL DEFAULT 0;
-- The moment its silence becomes stale as trackline_core::freshness judges it (its last change
-- plus the silence its stage usually takes); NULL when it never does (settled, waiting at a
-- pickup point, no moment known). "Stale now" is then stale_at_ms <= now: a range, not a rule.
ALTER TABLE shipments ADD COLUMN stale_at_ms BIGINT;
-- The carrier's name in lower case, for the carrier filter (the carrier column is JSON).
ALTER TABLE shipments ADD COLUMN carrier_name TEXT;

-- The list's orders, each led by the seller and ended by the id that breaks ties in the cursor.
CREATE INDEX shipments_shop_written ON shipments (seller_id, written_ms, id);
CREATE INDEX shipments_shop_created ON shipments (seller_id, created_ms, id);
-- The console's tabs are stages: a stage's page and its count read only that stage.
CREATE INDEX shipments_shop_stage_written ON shipments (seller_id, stage, written_ms, id);
-- "Stale now" is a range of it; with the moments, a stale page is chosen from this index alone.
CREATE INDEX shipments_shop_stale ON shipments (seller_id, stale_at_ms, written_ms, created_ms, id);
-- The counts per stage read every shipment of the seller through the filters: this index holds
-- every column a filter tests, so that they read it alone, never the table (a provider filter
-- made SQLite fetch each of 100 000 rows: 320 ms, against 20 ms from this).
CREATE INDEX shipments_shop_counts ON shipments
    (seller_id, stage, exception, source, carrier_name, stale_at_ms, created_ms, written_ms);
