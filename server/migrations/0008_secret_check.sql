-- Sellers' provider keys are sealed with the server's secret key (AES-256-GCM). This row holds
-- a known text sealed with that key, so that an instance started with another key, or none,
-- says so at start instead of failing at the first Ozon call.
CREATE TABLE secret_check (
    id INTEGER PRIMARY KEY,
    sealed TEXT NOT NULL
);
