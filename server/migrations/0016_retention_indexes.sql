-- What the store forgets is found by age (store::retention), and a receiver's delivery log is
-- read newest first: indexes for both, so that neither reads every delivery ever queued.
CREATE INDEX webhook_deliveries_queued ON webhook_deliveries (queued_at_ms);
CREATE INDEX webhook_deliveries_log ON webhook_deliveries (webhook_id, queued_at_ms);
CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at);
