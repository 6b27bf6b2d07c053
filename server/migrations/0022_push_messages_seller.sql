-- Each push message names the seller whose buyer it is for (0 for a shipment of none, as the
-- demo's), so that the worker lists a few of each seller's due messages through an index however
-- many of one seller's are due ahead of the others' (store::lease::waiting, in_flight).
ALTER TABLE push_messages ADD COLUMN seller_id BIGINT NOT NULL DEFAULT 0;
UPDATE push_messages SET seller_id = COALESCE(
    (SELECT p.seller_id FROM push_subscriptions s JOIN shipments p ON p.id = s.shipment_id
     WHERE s.id = push_messages.subscription_id), 0);
CREATE INDEX push_messages_seller_due ON push_messages (seller_id, state, next_attempt_ms, id);
