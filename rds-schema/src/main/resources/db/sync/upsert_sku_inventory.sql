-- params: sku, total, available, reserved, sold, store_seq, updated_at
-- A row is only overwritten by a newer store_seq; store_seq is assigned LAST because
-- MariaDB/MySQL evaluate the assignments left to right and later ones see earlier results.
INSERT INTO sku_inventory (sku, total, available, reserved, sold, store_seq, updated_at)
VALUES (?, ?, ?, ?, ?, ?, ?)
ON DUPLICATE KEY UPDATE
    total      = CASE WHEN VALUES(store_seq) > store_seq THEN VALUES(total)      ELSE total      END,
    available  = CASE WHEN VALUES(store_seq) > store_seq THEN VALUES(available)  ELSE available  END,
    reserved   = CASE WHEN VALUES(store_seq) > store_seq THEN VALUES(reserved)   ELSE reserved   END,
    sold       = CASE WHEN VALUES(store_seq) > store_seq THEN VALUES(sold)       ELSE sold       END,
    updated_at = CASE WHEN VALUES(store_seq) > store_seq THEN VALUES(updated_at) ELSE updated_at END,
    store_seq  = CASE WHEN VALUES(store_seq) > store_seq THEN VALUES(store_seq)  ELSE store_seq  END
