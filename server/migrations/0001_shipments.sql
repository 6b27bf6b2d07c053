-- Shipments and their events. Numbers are stored normalised (upper case, no spaces)
-- so that a lookup is one indexed equality per kind of number.
CREATE TABLE shipments (
    id INTEGER PRIMARY KEY,
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
    id INTEGER PRIMARY KEY,
    shipment_id INTEGER NOT NULL REFERENCES shipments (id) ON DELETE CASCADE,
    at TEXT NOT NULL,
    stage TEXT,
    exception TEXT,
    text TEXT NOT NULL,
    location TEXT
);

CREATE INDEX events_shipment_id ON events (shipment_id);
