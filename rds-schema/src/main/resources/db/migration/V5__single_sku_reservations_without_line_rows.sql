-- inventory-sync: a reservation of one SKU (nearly every flash-sale purchase) is stored as its
-- reservation row alone, which already holds sku and quantity. Writing a reservation_line row
-- for it as well cost MariaDB a second row and two more index entries per purchase, about a
-- quarter of the sync's database time (perf/RESULTS.md). Only the lines of reservations of
-- several lines (INV.RESERVEALL) keep rows of their own, in reservation_multi_line.
--
-- reservation_line stays readable as before, as a view with every line of every reservation
-- (line 1 of a one-line reservation comes from its reservation row); it can no longer be
-- written: writers use reservation_multi_line, and only for reservations of several lines.
-- A line row counts only while it carries its reservation's store_seq (the sync writes every line
-- again when the reservation changes): so the sync needs no look for the line rows of a request id
-- that comes back (reused after the store forgot it) with fewer lines or one; the old ones are dead
-- rows the view does not show.
ALTER TABLE reservation_line RENAME TO reservation_multi_line;

DELETE FROM reservation_multi_line WHERE EXISTS (
    SELECT 1 FROM reservation r WHERE r.request_id = reservation_multi_line.request_id AND r.line_count = 1);

CREATE VIEW reservation_line AS
    SELECT request_id, 1 AS line_no, sku, quantity, store_seq FROM reservation WHERE line_count = 1
    UNION ALL
    SELECT l.request_id, l.line_no, l.sku, l.quantity, l.store_seq
    FROM reservation_multi_line l JOIN reservation r ON r.request_id = l.request_id AND r.store_seq = l.store_seq
    WHERE r.line_count > 1;

-- Indexes of reservation, each one written on every purchase and every state change: nothing
-- reads by (status, expires_at) (the store expires reservations, not the RDS), and a sale has
-- exactly one SKU (V3), so one index on (sku, status) serves a sale's reservations (through
-- sale.sku), a SKU's reservations of a state, and reconcile's per-SKU sums of the one-line
-- reservations, in place of the two.
DROP INDEX ix_reservation_status_expires ON reservation;
DROP INDEX ix_reservation_sale ON reservation;
CREATE INDEX ix_reservation_sku_status ON reservation (sku, status);
