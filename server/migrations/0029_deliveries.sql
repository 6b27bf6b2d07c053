-- What the seller's delivered parcels took (store/deliveries.rs): one row per shipment that
-- reached `delivered`, written when it did, so that learnt estimates (days from hand-over or
-- arrival to delivery, per carrier and route) and the seller's insights (transit days and
-- on-time rate, per carrier and route, over 7, 30 and 90 days) read a narrow table by an
-- index instead of the shipments and all their events.
CREATE TABLE deliveries (
    shipment_id BIGINT PRIMARY KEY REFERENCES shipments (id) ON DELETE CASCADE,
    seller_id BIGINT NOT NULL REFERENCES sellers (id),
    -- The carrier's name as the shipment names it, folded to lower case ('' when none).
    carrier TEXT NOT NULL,
    -- The cities the events name (city-level, lower case): where the carrier took it, and
    -- where it arrived for the buyer ('' when the events name none).
    origin TEXT NOT NULL,
    destination TEXT NOT NULL,
    -- When the carrier took it, when it reached the buyer's city, when it was delivered.
    handed_over_ms BIGINT,
    arrived_ms BIGINT,
    delivered_ms BIGINT NOT NULL,
    -- Whole days from hand-over, and from arrival, to delivery (NULL without that event).
    transit_days INTEGER,
    last_leg_days INTEGER,
    -- Whether it came by the last day of the estimate the buyer was shown (NULL: none shown).
    on_time INTEGER
);
-- One seller's route (and carrier alone: a prefix), recent first.
CREATE INDEX deliveries_route ON deliveries (seller_id, carrier, origin, destination, delivered_ms);
-- One seller's deliveries of the last days, for the insights.
CREATE INDEX deliveries_recent ON deliveries (seller_id, delivered_ms);
-- Every seller's parcels on a route, counted without any seller's identity: the fallback.
CREATE INDEX deliveries_pooled ON deliveries (carrier, origin, destination, delivered_ms);
