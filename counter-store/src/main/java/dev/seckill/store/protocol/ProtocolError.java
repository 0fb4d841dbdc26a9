package dev.seckill.store.protocol;

/**
 * What {@link RespDecoder} emits, once, instead of a command when a client breaks the protocol.
 * It is a message rather than an exception so that the handler upstream can answer the client
 * with {@code -ERR <message>} in order with the replies before it, and then close.
 *
 * @param message Redis's wording, e.g. {@code Protocol error: invalid bulk length}
 */
public record ProtocolError(String message) {

    /** The reply Redis sends before it closes the connection. */
    public Reply toReply() {
        return Reply.error("ERR " + message);
    }
}
