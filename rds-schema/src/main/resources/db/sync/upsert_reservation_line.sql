-- params: line_no, sku, quantity, request_id, store_seq   (once per line, line_no 1..n, after
-- upsert_reservation, only for a reservation of several lines: a one-line reservation is its
-- reservation row alone, V5)
-- Writes the line only while the reservation row holds this very store_seq: a replayed older row
-- must not bring back lines the newer version does not have. The target's columns are qualified,
-- or MariaDB finds them ambiguous with the SELECT's.
INSERT INTO reservation_multi_line (request_id, line_no, sku, quantity, store_seq)
SELECT r.request_id, ?, ?, ?, r.store_seq FROM reservation r WHERE r.request_id = ? AND r.store_seq = ? AND r.line_count > 1
ON DUPLICATE KEY UPDATE
    sku       = CASE WHEN VALUES(store_seq) > reservation_multi_line.store_seq THEN VALUES(sku)       ELSE reservation_multi_line.sku       END,
    quantity  = CASE WHEN VALUES(store_seq) > reservation_multi_line.store_seq THEN VALUES(quantity)  ELSE reservation_multi_line.quantity  END,
    store_seq = CASE WHEN VALUES(store_seq) > reservation_multi_line.store_seq THEN VALUES(store_seq) ELSE reservation_multi_line.store_seq END
