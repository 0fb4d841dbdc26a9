package dev.seckill.store.command;

/** A command that is malformed; the message is the Redis-style error text (code first). */
public final class CommandException extends Exception {
    private final boolean arity;

    public CommandException(String redisError) {
        this(redisError, false);
    }

    private CommandException(String redisError, boolean arity) {
        super(redisError, null, false, false);
        this.arity = arity;
    }

    /** The command has too few or too many arguments (Redis refuses those before it runs anything). */
    static CommandException arity(String redisError) {
        return new CommandException(redisError, true);
    }

    /**
     * True for a wrong number of arguments. Inside MULTI, Redis refuses such a command when it is
     * queued (and EXEC then aborts the whole transaction); any other error shows up in EXEC's
     * answer, at the command's place.
     */
    public boolean isArity() {
        return arity;
    }
}
