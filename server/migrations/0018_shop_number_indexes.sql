-- A lookup asks for a number in one shop: one index per kind of number, each led by the shop,
-- so that finding a number is one probe per kind whatever the shop's size (Store::find). The
-- single-column indexes they replace found a number in every shop at once, and SQLite chose to
-- read the whole shop through (seller_id, reference) rather than them. Every statement that
-- looks a number up names its shop, so nothing else used them.
CREATE INDEX shipments_shop_order_number ON shipments (seller_id, order_number);
CREATE INDEX shipments_shop_shipment_number ON shipments (seller_id, shipment_number);
CREATE INDEX shipments_shop_tracking_number ON shipments (seller_id, tracking_number);
DROP INDEX shipments_order_number;
DROP INDEX shipments_shipment_number;
DROP INDEX shipments_tracking_number;
