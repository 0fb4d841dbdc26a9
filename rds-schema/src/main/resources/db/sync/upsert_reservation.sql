-- params: request_id, sale_id, user_id, sku, quantity, line_count, status, created_at, expires_at, updated_at, store_seq
-- sale_id is not in the change feed: the sync looks it up once per SKU and batch (sale.sku is
-- unique) and passes NULL when there is no sale of that SKU (yet) or the reservation spans
-- several SKUs; NULL never erases a sale_id a row already has.
INSERT INTO reservation (request_id, sale_id, user_id, sku, quantity, line_count, status, created_at, expires_at, updated_at, store_seq)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
ON DUPLICATE KEY UPDATE
    sale_id    = CASE WHEN VALUES(store_seq) > store_seq THEN COALESCE(VALUES(sale_id), sale_id) ELSE sale_id END,
    user_id    = CASE WHEN VALUES(store_seq) > store_seq THEN VALUES(user_id)    ELSE user_id    END,
    sku        = CASE WHEN VALUES(store_seq) > store_seq THEN VALUES(sku)        ELSE sku        END,
    quantity   = CASE WHEN VALUES(store_seq) > store_seq THEN VALUES(quantity)   ELSE quantity   END,
    line_count = CASE WHEN VALUES(store_seq) > store_seq THEN VALUES(line_count) ELSE line_count END,
    status     = CASE WHEN VALUES(store_seq) > store_seq THEN VALUES(status)     ELSE status     END,
    created_at = CASE WHEN VALUES(store_seq) > store_seq THEN VALUES(created_at) ELSE created_at END,
    expires_at = CASE WHEN VALUES(store_seq) > store_seq THEN VALUES(expires_at) ELSE expires_at END,
    updated_at = CASE WHEN VALUES(store_seq) > store_seq THEN VALUES(updated_at) ELSE updated_at END,
    store_seq  = CASE WHEN VALUES(store_seq) > store_seq THEN VALUES(store_seq)  ELSE store_seq  END
