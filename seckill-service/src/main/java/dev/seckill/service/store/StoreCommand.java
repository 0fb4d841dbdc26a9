package dev.seckill.service.store;

import io.lettuce.core.protocol.ProtocolKeyword;

import java.nio.charset.StandardCharsets;

/** The store commands this service sends, as Lettuce keywords for {@code dispatch}. */
enum StoreCommand implements ProtocolKeyword {
    INV_CREATE("INV.CREATE"),
    INV_RESTOCK("INV.RESTOCK"),
    INV_GET("INV.GET"),
    INV_RESERVE("INV.RESERVE"),
    INV_CONFIRM("INV.CONFIRM"),
    INV_CANCEL("INV.CANCEL"),
    INV_RESERVATION("INV.RESERVATION"),
    INFO("INFO"),
    PING("PING");

    private final String wireName;
    private final byte[] bytes;

    StoreCommand(String wireName) {
        this.wireName = wireName;
        this.bytes = wireName.getBytes(StandardCharsets.US_ASCII);
    }

    @Override
    public byte[] getBytes() {
        return bytes;
    }

    @Override
    public String toString() {
        return wireName;
    }
}
