package dev.seckill.store.server;

import io.lettuce.core.protocol.ProtocolKeyword;

import java.nio.charset.StandardCharsets;

/** The store's own commands, as Lettuce keywords for {@code RedisCommands.dispatch}. */
enum InvCommand implements ProtocolKeyword {
    CREATE, RESTOCK, GET, RESERVE, RESERVEALL, CONFIRM, CANCEL, RESERVATION, DEDUCT, SCAN, CHANGES, ACK;

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
