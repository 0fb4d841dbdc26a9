package dev.seckill.sync.feed;

/** A SKU's figures as the store holds them ({@code total == available + reserved + sold}). */
public record SkuRow(long seq, String sku, long total, long available, long reserved, long sold) implements FeedRow {
}
