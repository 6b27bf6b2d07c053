-- The seller's insights (store/daily_counts.rs): how many times a thing happened to a seller
-- on a day (UTC), added to by every instance's in-memory counters as they flush. Never an
-- address, a user agent or a number: a name and a count. Names are listed in
-- server/src/counts.rs (`Count`: lookups_found, via_element, taps_phone, webhooks_failed…).
CREATE TABLE daily_counts (
    -- Cascading: a flush of another instance may add a row while the seller is being removed.
    seller_id BIGINT NOT NULL REFERENCES sellers (id) ON DELETE CASCADE,
    -- 'YYYY-MM-DD', the UTC day.
    day TEXT NOT NULL,
    name TEXT NOT NULL,
    count BIGINT NOT NULL,
    PRIMARY KEY (seller_id, day, name)
);
