-- params: request_id, store_seq   (after the lines of that row: drops lines an older version had
-- beyond the new line count, e.g. a request id reused after the store forgot it; a replayed
-- older row deletes nothing, since the lines then carry a newer store_seq)
DELETE FROM reservation_line WHERE request_id = ? AND store_seq < ?
