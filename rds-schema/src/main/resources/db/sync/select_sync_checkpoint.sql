-- params: shard   (first statement of a batch's transaction: locks the shard's checkpoint row,
-- so two sync processes on one shard serialize instead of interleaving)
SELECT applied_seq FROM sync_checkpoint WHERE shard = ? FOR UPDATE
