-- Wrong second-factor replies, per shop and client address, kept in the store so that the
-- lockout holds across every instance and across restarts (the in-memory limiter forgave both).
-- Rows older than the window are deleted as new ones come.
CREATE TABLE second_factor_failures (
    shop_id BIGINT NOT NULL REFERENCES sellers (id),
    client TEXT NOT NULL,
    at_ms BIGINT NOT NULL
);
CREATE INDEX second_factor_failures_key ON second_factor_failures (shop_id, client, at_ms);
