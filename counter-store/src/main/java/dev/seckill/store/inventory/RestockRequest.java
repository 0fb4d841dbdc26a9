package dev.seckill.store.inventory;

import dev.seckill.store.protocol.Reply;

/** A restock sent with a request id: its first answer, and the store time it was made at. */
record RestockRequest(String requestId, Reply answer, long at) {}
