-- The Ozon posting a shipment was pulled from, so that a buyer's lookup can bring it up to date.
ALTER TABLE shipments ADD COLUMN ozon_posting TEXT;
