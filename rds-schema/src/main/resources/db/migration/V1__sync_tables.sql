-- Tables the inventory-sync writes: one transaction per change-feed batch writes
-- sku_inventory, reservation, reservation_line and sync_checkpoint together.
--
-- Portable between MariaDB 10.11 / MySQL and H2 2.x in MODE=MySQL (the embedded default):
--  * times are BIGINT epoch milliseconds, as the store gives them (no time-zone conversion);
--  * ids are VARCHAR(128) in utf8mb4_nopad_bin: byte-exact and case-sensitive like the store,
--    and trailing spaces count ("a" <> "a "); H2 accepts and ignores the table options;
--  * no foreign keys: the sync writes rows in feed order and replays batches, and every
--    table has its own writer (see README.md).

CREATE TABLE sku_inventory (
    sku         VARCHAR(128) NOT NULL,
    total       BIGINT       NOT NULL,
    available   BIGINT       NOT NULL,
    reserved    BIGINT       NOT NULL,
    sold        BIGINT       NOT NULL,
    store_seq   BIGINT       NOT NULL,
    updated_at  BIGINT       NOT NULL,
    PRIMARY KEY (sku),
    CONSTRAINT ck_sku_inventory_figures CHECK (total >= 0 AND available >= 0 AND reserved >= 0 AND sold >= 0),
    CONSTRAINT ck_sku_inventory_balance CHECK (total = available + reserved + sold),
    CONSTRAINT ck_sku_inventory_seq CHECK (store_seq >= 0)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_nopad_bin;

-- One row per request id (the unit the store's state machine and the change feed work on).
-- sku is the first line's SKU and quantity the sum over the lines, so the common single-line
-- reservation reads without a join; reservation_line holds every line.
CREATE TABLE reservation (
    request_id  VARCHAR(128) NOT NULL,
    sale_id     VARCHAR(128) NULL,
    user_id     VARCHAR(128) NULL,
    sku         VARCHAR(128) NOT NULL,
    quantity    BIGINT       NOT NULL,
    line_count  INT          NOT NULL,
    status      VARCHAR(16)  NOT NULL,
    created_at  BIGINT       NOT NULL,
    expires_at  BIGINT       NULL,
    updated_at  BIGINT       NOT NULL,
    store_seq   BIGINT       NOT NULL,
    PRIMARY KEY (request_id),
    CONSTRAINT ck_reservation_quantity CHECK (quantity > 0 AND line_count > 0),
    CONSTRAINT ck_reservation_status CHECK (status IN ('reserved', 'confirmed', 'cancelled', 'expired')),
    CONSTRAINT ck_reservation_seq CHECK (store_seq >= 0)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_nopad_bin;

-- pending reservations by expiry, and reservations of a state (reconcile, dashboards)
CREATE INDEX ix_reservation_status_expires ON reservation (status, expires_at);
-- what a user holds or bought (per-user limits, support)
CREATE INDEX ix_reservation_user ON reservation (user_id, created_at);
-- a sale's reservations
CREATE INDEX ix_reservation_sale ON reservation (sale_id);

-- The lines of a reservation, in feed order (line_no 1..n). INV.RESERVEALL gives several.
CREATE TABLE reservation_line (
    request_id  VARCHAR(128) NOT NULL,
    line_no     INT          NOT NULL,
    sku         VARCHAR(128) NOT NULL,
    quantity    BIGINT       NOT NULL,
    store_seq   BIGINT       NOT NULL,
    PRIMARY KEY (request_id, line_no),
    CONSTRAINT ck_reservation_line_quantity CHECK (quantity > 0 AND line_no > 0),
    CONSTRAINT ck_reservation_line_seq CHECK (store_seq >= 0)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_nopad_bin;

-- per-SKU sums of reserved / sold units (reconcile joins lines to reservation.status)
CREATE INDEX ix_reservation_line_sku ON reservation_line (sku, request_id);

-- How far the sync has applied each shard's change feed; written in the same transaction
-- as the rows of the batch, and only ever moves forward.
CREATE TABLE sync_checkpoint (
    shard        VARCHAR(128) NOT NULL,
    applied_seq  BIGINT       NOT NULL,
    updated_at   BIGINT       NOT NULL,
    PRIMARY KEY (shard),
    CONSTRAINT ck_sync_checkpoint_seq CHECK (applied_seq >= 0)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_nopad_bin;
