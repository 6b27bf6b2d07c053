-- The retention sweep (store/retention.rs) forgets daily counts older than 400 days by day,
-- across sellers: without this, each sweep would read the whole table.
CREATE INDEX daily_counts_by_day ON daily_counts (day);
