-- Wrong second-factor replies become one counter row per key (a client address in a shop, or a
-- shipment), so that checking whether a key may try and counting its try are one conditional
-- upsert: with a row per reply, thirty replies at once all counted fewer than ten rows before
-- any of them was written. The rows of the old table count for a window of minutes, so
-- starting with none forgets at most ten minutes of them.
DROP TABLE second_factor_failures;
CREATE TABLE second_factor_failures (
    shop_id BIGINT NOT NULL REFERENCES sellers (id),
    against TEXT NOT NULL,
    subject TEXT NOT NULL,
    wrong BIGINT NOT NULL,
    ends_ms BIGINT NOT NULL,
    PRIMARY KEY (shop_id, against, subject)
);
CREATE INDEX second_factor_failures_ends ON second_factor_failures (ends_ms);
