-- Each seller's account at a provider is asked at most so often, by all instances together:
-- the next moment (ms) one of them may send a request for it.
CREATE TABLE source_pace (
    provider TEXT NOT NULL,
    seller_id BIGINT NOT NULL REFERENCES sellers (id),
    next_ms BIGINT NOT NULL,
    PRIMARY KEY (provider, seller_id)
);
