-- What a seller asks of a public lookup: the storefront origins allowed to read it, and a
-- second factor for lookups by order number (guessable), as the big tracking services do.
ALTER TABLE sellers ADD COLUMN allowed_origins TEXT;
ALTER TABLE sellers ADD COLUMN order_check TEXT;

-- The second factors of a shipment, hashed with the shipment's id: the last four digits of
-- the buyer's phone, the delivery postcode. The phone and the address themselves are never stored.
ALTER TABLE shipments ADD COLUMN check_phone_hash TEXT;
ALTER TABLE shipments ADD COLUMN check_postcode_hash TEXT;
