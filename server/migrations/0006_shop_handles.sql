-- Each seller's public shop handle: the part of the public lookup's path that says whose
-- shipments a buyer sees (/api/v1/shops/{handle}/track/{number}), so that one shop's
-- shipments are never shown to another shop's buyers. Sellers added before it get one from
-- their id; `trackline-server add-seller` gives new ones one from their name.
ALTER TABLE sellers ADD COLUMN handle TEXT;
UPDATE sellers SET handle = 'shop-' || CAST(id AS TEXT) WHERE handle IS NULL;
CREATE UNIQUE INDEX sellers_handle ON sellers (handle);
