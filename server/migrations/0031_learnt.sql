-- Contract 1.6's estimates (learnt.rs, store/deliveries.rs): whose estimate a shipment carries,
-- the one learnt from delivered parcels where it carries none, and whether its seller was told
-- it is running late.
-- Who wrote `estimated_from`/`estimated_to`: 'seller' or 'carrier' (NULL: written before 1.6,
-- read as no basis).
ALTER TABLE shipments ADD COLUMN estimated_by TEXT;
-- The window learnt when the shipment was last written, as contract JSON, not yet clamped to
-- any day (the lookup does that: "today" moves); NULL when there is none to learn or it carries
-- an estimate of its own.
ALTER TABLE shipments ADD COLUMN learnt_estimate TEXT;
-- The day (ISO date) past which it is running late, whoever's estimate it is (NULL: none).
ALTER TABLE shipments ADD COLUMN late_after TEXT;
-- When its seller's receivers were told `estimate_missed` (ms): told once a shipment.
ALTER TABLE shipments ADD COLUMN estimate_missed_ms BIGINT;
-- The sweep's question: whose day has passed and who was not told yet.
CREATE INDEX shipments_late_after ON shipments (late_after) WHERE estimate_missed_ms IS NULL;
