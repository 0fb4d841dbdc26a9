-- seckill-service: how long an order of a sale holds its units before the store releases them
-- (INV.RESERVE ... TTL ms), and one sale per SKU: the sale's SKU is created in the store with
-- the sale's stock, so an order (a store reservation naming the SKU) leads back to its sale.
ALTER TABLE sale ADD COLUMN reservation_ttl_ms BIGINT NOT NULL DEFAULT 900000;
ALTER TABLE sale ADD CONSTRAINT ck_sale_ttl CHECK (reservation_ttl_ms > 0);
CREATE UNIQUE INDEX ux_sale_sku ON sale (sku);
