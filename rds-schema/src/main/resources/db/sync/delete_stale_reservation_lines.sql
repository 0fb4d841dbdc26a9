-- params: request_id, store_seq   (after the lines of that row, whatever its line count: drops
-- lines an older version had beyond the new line count, e.g. a request id reused after the store
-- forgot it, now with fewer lines or one; a replayed older row deletes nothing, since the lines
-- then carry a newer store_seq)
DELETE FROM reservation_multi_line WHERE request_id = ? AND store_seq < ?
