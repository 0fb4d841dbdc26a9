package dev.seckill.store;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;
import static org.awaitility.Awaitility.await;

/**
 * Snapshots under real faults, on a real process: a counter key longer than {@code writeUTF} can
 * write (every snapshot used to fail on it, for good), and a data directory on a small tmpfs that
 * fills up (a snapshot that cannot be written must leave nothing behind, raise the alarm in INFO,
 * and be retried once there is room again, after which the log is purged).
 */
class SnapshotFaultIT {
    private static final Duration PATIENCE = Duration.ofSeconds(90);
    private static final int MB = 1_000_000;

    @Test
    @Timeout(value = 4, unit = TimeUnit.MINUTES)
    void longKeysAreSnapshottedAndComeBackFromTheSnapshotAfterAKill() throws Exception {
        byte[] longKey = new byte[100_000];
        Arrays.fill(longKey, (byte) 'k');
        byte[] highKey = new byte[40_000]; // 80,000 bytes in modified UTF-8: over writeUTF's 65,535
        for (int i = 0; i < highKey.length; i++) {
            highKey[i] = (byte) (0x80 + i % 128);
        }
        try (StoreProcess store = new StoreProcess("long-keys", "--snapshot-every", "20").start()) {
            long setAt;
            try (Raw raw = new Raw(store)) {
                assertThat(raw.redis.set(longKey, bytes("100000"))).isEqualTo("OK");
                assertThat(raw.redis.set(highKey, bytes("40000"))).isEqualTo("OK");
                setAt = raw.info("log_applied_index");
                // a snapshot past the keys, and the log purged past them: they can only come back from it
                raw.snapshotAndPurgePast(setAt);
                assertThat(raw.infoText("snapshot_status")).isEqualTo("ok");
                assertThat(raw.info("snapshot_failures_total")).isZero();
                raw.awaitNoSnapshotInProgress();
                assertThat(temporaryFiles(store.dataDir())).isEmpty();
            }

            store.restart(); // kill -9, start again
            try (Raw raw = new Raw(store)) {
                assertThat(raw.info("log_start_index")).as("log purged past the keys").isGreaterThan(setAt);
                assertThat(text(raw.redis.get(longKey))).isEqualTo("100000");
                assertThat(text(raw.redis.get(highKey))).isEqualTo("40000");
            }
        }
    }

    @Test
    @Timeout(value = 4, unit = TimeUnit.MINUTES)
    void aSnapshotThatDoesNotFitOnTheDiskLeavesNothingBehindRaisesTheAlarmAndIsRetried() throws Exception {
        StoreProcess store = new StoreProcess("disk-full", "--snapshot-every", "30");
        Path data = store.dataDir();
        Files.createDirectories(data);
        assumeThat(run("mount", "-t", "tmpfs", "-o", "size=96m", "tmpfs", data.toString()))
                .as("mounting a tmpfs (needs root)").isZero();
        try (store) {
            store.start();
            try (Raw raw = new Raw(store)) {
                // 8 MB of counters: their snapshot cannot fit in the 3 MB left below
                for (int i = 0; i < 8; i++) {
                    assertThat(raw.redis.set(bigKey("counter", i), bytes(Integer.toString(i)))).isEqualTo("OK");
                }
                Path filler = data.resolve("filler");
                long free = Files.getFileStore(data).getUsableSpace();
                assertThat(run("fallocate", "-l", Long.toString(free - 3L * 1024 * 1024), filler.toString())).isZero();

                long sent = 0;
                while (raw.info("snapshot_failures") == 0) {
                    assertThat(raw.redis.incr(bytes("ticks"))).isEqualTo(++sent); // writes go on while snapshots fail
                    assertThat(sent).as("snapshot attempts by now").isLessThan(2_000);
                }
                Map<String, String> alarm = raw.persistence();
                assertThat(alarm.get("snapshot_status")).isEqualTo("failing");
                assertThat(alarm.get("snapshot_last_error")).contains("No space left on device");
                assertThat(Long.parseLong(alarm.get("snapshot_failing_since")))
                        .isBetween(System.currentTimeMillis() / 1000 - 120, System.currentTimeMillis() / 1000 + 1);
                assertThat(Long.parseLong(alarm.get("last_snapshot_index"))).isEqualTo(-1);
                // the next attempt waits a backoff of 1 s at least: nothing is being written now
                assertThat(alarm.get("snapshot_in_progress")).isEqualTo("0");
                assertThat(temporaryFiles(data)).as("what the failed snapshot left").isEmpty();

                Files.delete(filler);
                raw.snapshotAndPurgePast(raw.info("log_applied_index"));
                Map<String, String> after = raw.persistence();
                assertThat(after.get("snapshot_status")).isEqualTo("ok");
                assertThat(after.get("snapshot_failures")).isEqualTo("0");
                assertThat(Long.parseLong(after.get("snapshot_failures_total"))).isPositive();
                assertThat(after.get("snapshot_failing_since")).isEqualTo("0");
                raw.awaitNoSnapshotInProgress();
                assertThat(temporaryFiles(data)).isEmpty();
                assertThat(raw.redis.incr(bytes("ticks"))).isEqualTo(sent + 1);
            }
            store.restart(); // the snapshot written after the failures is whole
            try (Raw raw = new Raw(store)) {
                for (int i = 0; i < 8; i++) {
                    assertThat(text(raw.redis.get(bigKey("counter", i)))).isEqualTo(Integer.toString(i));
                }
            }
        } finally {
            store.close();
            if (run("umount", data.toString()) != 0) {
                run("umount", "-l", data.toString());
            }
        }
    }

    /** A Lettuce connection with byte[] keys and values, for keys no String codec would round-trip. */
    private static final class Raw implements AutoCloseable {
        final RedisClient client;
        final StatefulRedisConnection<byte[], byte[]> connection;
        final RedisCommands<byte[], byte[]> redis;

        Raw(StoreProcess store) {
            RedisURI uri = RedisURI.create(store.uri());
            uri.setTimeout(StoreClient.COMMAND_TIMEOUT);
            client = RedisClient.create(uri);
            client.setOptions(ClientOptions.builder().autoReconnect(false).build());
            connection = client.connect(ByteArrayCodec.INSTANCE);
            redis = connection.sync();
        }

        Map<String, String> persistence() {
            Map<String, String> m = new java.util.LinkedHashMap<>();
            for (String line : redis.info("persistence").split("\r?\n")) {
                int colon = line.indexOf(':');
                if (!line.startsWith("#") && colon > 0) {
                    m.put(line.substring(0, colon), line.substring(colon + 1).trim());
                }
            }
            return m;
        }

        String infoText(String key) {
            return persistence().get(key);
        }

        long info(String key) {
            return Long.parseLong(infoText(key));
        }

        /**
         * Sends reads of 1 MB keys (each a 1 MB log entry, no state) until a segment of the log is
         * closed, then small writes until a snapshot after {@code index} is written and the log
         * is purged past it.
         */
        void snapshotAndPurgePast(long index) {
            for (int i = 0; i < 17; i++) { // segments close at 16 MB; only closed ones are purged
                redis.mget(bigKey("absent", i));
            }
            await("a snapshot after " + index + " and the log purged past it").atMost(PATIENCE)
                    .pollInterval(Duration.ofMillis(100))
                    .until(() -> {
                        for (int i = 0; i < 10; i++) {
                            redis.incr(bytes("purge-ticks"));
                        }
                        Map<String, String> p = persistence();
                        return Long.parseLong(p.get("last_snapshot_index")) > index
                                && Long.parseLong(p.get("log_start_index")) > index;
                    });
        }

        /** Sends nothing until the snapshot being written (if any) is done. */
        void awaitNoSnapshotInProgress() {
            await("no snapshot in progress").atMost(PATIENCE).pollInterval(Duration.ofMillis(50))
                    .until(() -> info("snapshot_in_progress") == 0);
        }

        @Override
        public void close() {
            connection.close();
            client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        }
    }

    private static byte[] bigKey(String prefix, int i) {
        byte[] key = new byte[MB];
        Arrays.fill(key, (byte) 'x');
        byte[] name = (prefix + i + "-").getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(name, 0, key, 0, name.length);
        return key;
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    private static String text(byte[] b) {
        return b == null ? null : new String(b, StandardCharsets.US_ASCII);
    }

    private static List<Path> temporaryFiles(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(p -> p.getFileName().toString().endsWith(".tmp")).toList();
        }
    }

    private static int run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return -1;
        }
        if (p.exitValue() != 0) {
            System.err.println(String.join(" ", command) + ": " + out.trim());
        }
        return p.exitValue();
    }
}
