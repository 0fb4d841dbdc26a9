package dev.seckill.sync.feed;

import io.lettuce.core.protocol.ProtocolKeyword;

import java.nio.charset.StandardCharsets;

/** The counter-store's inventory commands, as Lettuce keywords for {@code RedisCommands.dispatch}. */
enum StoreCommand implements ProtocolKeyword {
    CREATE, RESTOCK, GET, RESERVE, RESERVEALL, DEDUCT, CONFIRM, RESERVATION, SCAN, CHANGES, ACK;

    private final String wireName = "INV." + name();
    private final byte[] bytes = wireName.getBytes(StandardCharsets.US_ASCII);

    @Override
    public byte[] getBytes() {
        return bytes;
    }

    @Override
    public String toString() {
        return wireName;
    }
}
