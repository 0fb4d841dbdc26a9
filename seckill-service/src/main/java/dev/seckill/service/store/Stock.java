package dev.seckill.service.store;

/** One SKU's figures in the store; {@code total == available + reserved + sold}. */
public record Stock(long total, long available, long reserved, long sold) {
}
