-- A flash sale, written by seckill-service (create, schedule, end, cancel).
-- Times are BIGINT epoch milliseconds, ids VARCHAR(128) byte-exact, as in V1.
CREATE TABLE sale (
    sale_id         VARCHAR(128) NOT NULL,
    sku             VARCHAR(128) NOT NULL,
    title           VARCHAR(255) NOT NULL,
    price_minor     BIGINT       NOT NULL,
    currency        CHAR(3)      NOT NULL,
    units           BIGINT       NOT NULL,
    per_user_limit  INT          NULL,
    status          VARCHAR(16)  NOT NULL,
    starts_at       BIGINT       NOT NULL,
    ends_at         BIGINT       NOT NULL,
    created_at      BIGINT       NOT NULL,
    updated_at      BIGINT       NOT NULL,
    PRIMARY KEY (sale_id),
    CONSTRAINT ck_sale_figures CHECK (price_minor >= 0 AND units >= 0),
    CONSTRAINT ck_sale_limit CHECK (per_user_limit IS NULL OR per_user_limit > 0),
    CONSTRAINT ck_sale_window CHECK (ends_at > starts_at),
    CONSTRAINT ck_sale_status CHECK (status IN ('scheduled', 'active', 'ended', 'cancelled'))
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_nopad_bin;

CREATE INDEX ix_sale_sku ON sale (sku);
CREATE INDEX ix_sale_status_starts ON sale (status, starts_at);

-- One row per `inventory-sync reconcile` run, written by reconcile: a row with result
-- 'running' at the start, updated with the figures at the end.
CREATE TABLE reconciliation_run (
    run_id                BIGINT       NOT NULL AUTO_INCREMENT,
    started_at            BIGINT       NOT NULL,
    finished_at           BIGINT       NULL,
    shard                 VARCHAR(128) NULL,
    repair_mode           VARCHAR(8)   NOT NULL,
    result                VARCHAR(16)  NOT NULL,
    skus_checked          BIGINT       NOT NULL DEFAULT 0,
    reservations_checked  BIGINT       NOT NULL DEFAULT 0,
    drift_found           BIGINT       NOT NULL DEFAULT 0,
    repairs               BIGINT       NOT NULL DEFAULT 0,
    detail                VARCHAR(2000) NULL,
    PRIMARY KEY (run_id),
    CONSTRAINT ck_reconciliation_run_mode CHECK (repair_mode IN ('none', 'store', 'rds')),
    CONSTRAINT ck_reconciliation_run_result CHECK (result IN ('running', 'consistent', 'drift', 'repaired', 'failed')),
    CONSTRAINT ck_reconciliation_run_figures CHECK (skus_checked >= 0 AND reservations_checked >= 0 AND drift_found >= 0 AND repairs >= 0)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_nopad_bin;

CREATE INDEX ix_reconciliation_run_started ON reconciliation_run (started_at);
CREATE INDEX ix_reconciliation_run_result ON reconciliation_run (result, started_at);
