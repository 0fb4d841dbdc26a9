package dev.seckill.service.store;

/**
 * The store said no for a business reason ({@code -SOLDOUT}, {@code -INSUFFICIENT 3},
 * {@code -LIMIT 2}, {@code -EXPIRED} ...): an answer, not a failure. {@link #code} is the error's
 * first word, {@link #figure} the number after it when there is one (available, held), else -1.
 */
public final class StoreRefusal extends RuntimeException {
    private final String code;
    private final long figure;

    StoreRefusal(String line) {
        super(line, null, false, false); // a normal answer: no stack trace to fill
        String[] words = line.trim().split("\\s+", 3);
        this.code = words[0];
        long n = -1;
        if (words.length > 1) {
            try {
                n = Long.parseLong(words[1]);
            } catch (NumberFormatException ignored) {
                // a code without a figure, e.g. "BACKLOG change feed full"
            }
        }
        this.figure = n;
    }

    public String code() {
        return code;
    }

    public long figure() {
        return figure;
    }
}
