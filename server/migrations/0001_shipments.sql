-- Shipments and their events. Numbers are stored normalised (upper case, no spaces)
-- so that a lookup is one indexed equality per kind of number.
--
-- Portable SQL: the same file migrates SQLite and PostgreSQL. Ids are 63-bit random
-- numbers made by the server (no AUTOINCREMENT / SERIAL, which the two spell
-- differently), times are RFC 3339 text as the contract writes them.
CREATE TABLE shipments (
    id BIGINT PRIMARY KEY,
    order_number TEXT,
    shipment_number TEXT,
    tracking_number TEXT,
    stage TEXT NOT NULL,
    exception TEXT,
    status_text TEXT,
    updated_at TEXT,
    estimated_from TEXT,
    estimated_to TEXT,
    -- Value objects the endpoint passes through whole, as contract JSON.
    carrier TEXT,
    pickup_point TEXT,
    support TEXT
);

CREATE INDEX shipments_order_number ON shipments (order_number);
CREATE INDEX shipments_shipment_number ON shipments (shipment_number);
CREATE INDEX shipments_tracking_number ON shipments (tracking_number);

CREATE TABLE events (
    id BIGINT PRIMARY KEY,
    shipment_id BIGINT NOT NULL REFERENCES shipments (id) ON DELETE CASCADE,
    at TEXT NOT NULL,
    stage TEXT,
    exception TEXT,
    text TEXT NOT NULL,
    location TEXT
);

CREATE INDEX events_shipment_id ON events (shipment_id);
