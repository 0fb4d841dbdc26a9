package dev.seckill.store.command;

/** A command that is malformed; the message is the Redis-style error text (code first). */
public final class CommandException extends Exception {
    public CommandException(String redisError) {
        super(redisError, null, false, false);
    }
}
