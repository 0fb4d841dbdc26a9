package dev.seckill.sync.feed;

/** A SKU's four figures, as {@code INV.GET} or an {@code sku_inventory} row gives them. */
public record StockFigures(long total, long available, long reserved, long sold) {
}
