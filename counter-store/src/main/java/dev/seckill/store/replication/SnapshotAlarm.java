package dev.seckill.store.replication;

import java.io.UncheckedIOException;
import java.util.concurrent.CompletionException;

/**
 * Whether snapshots are failing, for INFO and the service's health. While they fail Ratis keeps
 * every log entry (it purges only up to a snapshot), so the disk fills: this must be seen.
 * Immutable; the state machine publishes a new one after each attempt.
 *
 * @param failures        failed attempts since the last snapshot that succeeded (0: all is well)
 * @param failuresTotal   failed attempts since the process started
 * @param failingSinceMillis when the first of the current failures happened, epoch ms; 0 if none
 * @param lastError       the last failure's cause, one line; empty if there never was one
 */
public record SnapshotAlarm(int failures, long failuresTotal, long failingSinceMillis, String lastError) {
    /** The first retry waits this long after a failure; each further failure doubles it. */
    static final long FIRST_BACKOFF_MILLIS = 1_000;
    /** The longest wait between two attempts while snapshots fail. */
    static final long MAX_BACKOFF_MILLIS = 60_000;

    static final SnapshotAlarm NONE = new SnapshotAlarm(0, 0, 0, "");

    public boolean failing() {
        return failures > 0;
    }

    SnapshotAlarm failed(Throwable cause, long nowMillis) {
        return new SnapshotAlarm(failures + 1, failuresTotal + 1, failing() ? failingSinceMillis : nowMillis,
                describe(cause));
    }

    SnapshotAlarm succeeded() {
        return new SnapshotAlarm(0, failuresTotal, 0, lastError);
    }

    /** How long to wait before the next attempt: doubling from 1 s, at most 60 s, none when all is well. */
    long backoffMillis() {
        if (failures == 0) {
            return 0;
        }
        return Math.min(MAX_BACKOFF_MILLIS, FIRST_BACKOFF_MILLIS << Math.min(failures - 1, 16));
    }

    private static String describe(Throwable cause) {
        Throwable t = cause;
        while ((t instanceof CompletionException || t instanceof UncheckedIOException) && t.getCause() != null) {
            t = t.getCause();
        }
        String text = t.getClass().getSimpleName() + (t.getMessage() == null ? "" : ": " + t.getMessage());
        return text.replaceAll("[\\r\\n]+", " ");
    }
}
