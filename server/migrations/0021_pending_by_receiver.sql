-- Deliveries go out several at once, the most due of each receiver first (in_flight): a
-- receiver's pending deliveries, and a browser's pending messages in their order, are found
-- without reading its whole log.
CREATE INDEX webhook_deliveries_pending ON webhook_deliveries (webhook_id, state, next_attempt_ms);
CREATE INDEX push_messages_pending ON push_messages (subscription_id, state, seq);
