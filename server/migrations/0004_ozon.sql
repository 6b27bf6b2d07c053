-- A seller's Ozon Seller API keys, used only by the server to pull posting statuses.
-- They must be usable, so they cannot be hashed: keep the database private.
ALTER TABLE sellers ADD COLUMN ozon_client_id TEXT;
ALTER TABLE sellers ADD COLUMN ozon_api_key TEXT;
