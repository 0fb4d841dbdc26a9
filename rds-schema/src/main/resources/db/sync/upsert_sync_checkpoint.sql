-- params: shard, applied_seq, updated_at   (in the batch's transaction; never moves backwards)
INSERT INTO sync_checkpoint (shard, applied_seq, updated_at)
VALUES (?, ?, ?)
ON DUPLICATE KEY UPDATE
    updated_at  = CASE WHEN VALUES(applied_seq) > applied_seq THEN VALUES(updated_at) ELSE updated_at END,
    applied_seq = CASE WHEN VALUES(applied_seq) > applied_seq THEN VALUES(applied_seq) ELSE applied_seq END
