package dev.seckill.store.pipeline;

import java.util.concurrent.CompletableFuture;

/** Where finished batches go: the replicated log. */
public interface LogAppender {
    /**
     * Appends one entry; the future completes once it is committed and applied (the batch's
     * slots are answered by then), or exceptionally with the reason it was not.
     */
    CompletableFuture<Void> append(byte[] entry, Batch batch);
}
