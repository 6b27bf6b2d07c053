-- A seller's import of a spreadsheet (http/imports.rs): the preview it was shown, the rows it
-- writes, and how far applying them went, so that applying runs on the server whatever becomes
-- of the seller's session, and a job that died (its beat stopped) is taken up again.
--
-- state: previewed, applying, applied, failed. A preview not applied is forgotten once
-- expires_ms has passed (the next preview of any seller deletes it); the rows it would write
-- keep a buyer's phone as its last four digits only, as the second factor's hash takes it.
CREATE TABLE imports (
    id BIGINT PRIMARY KEY,
    seller_id BIGINT NOT NULL REFERENCES sellers (id),
    created_ms BIGINT NOT NULL,
    expires_ms BIGINT NOT NULL,
    state TEXT NOT NULL,
    total BIGINT NOT NULL,
    done BIGINT NOT NULL,
    beat_ms BIGINT NOT NULL,
    failure TEXT,
    preview TEXT NOT NULL,
    planned TEXT NOT NULL
);
CREATE INDEX imports_expires ON imports (expires_ms);
