package dev.seckill.store.pipeline;

import dev.seckill.store.command.CommandParser;
import dev.seckill.store.protocol.Reply;
import dev.seckill.store.replication.LogEntryFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The batching stage never puts a command into an entry it would take past the batch byte limit:
 * only a command alone may make an entry larger, so an entry is never larger than the largest
 * command the pipeline takes. The log here records the entries it is handed and holds the first
 * one back, so the commands published meanwhile wait in the ring and are batched together.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class BatchingStageTest {
    private static final int BATCH_BYTES = 1 << 20;
    private static final int MAX_COMMAND = 3 << 20;

    private final CommandParser parser = new CommandParser();
    private final List<byte[]> entries = new CopyOnWriteArrayList<>();
    private final CountDownLatch release = new CountDownLatch(1);

    private final LogAppender log = (entry, batch) -> {
        entries.add(entry);
        CompletableFuture<Void> applied = new CompletableFuture<>();
        Runnable apply = () -> {
            for (int i = 0; i < batch.size(); i++) {
                batch.answer(i, Reply.integer(entries.size()));
            }
            applied.complete(null);
        };
        if (entries.size() == 1) {
            CompletableFuture.runAsync(() -> {
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                apply.run();
            });
        } else {
            apply.run();
        }
        return applied;
    };

    @Test
    void anEntryTakesACommandOnlyWhileItStaysWithinTheByteLimit() throws Exception {
        CommandPipeline pipeline = new CommandPipeline(log, () -> 0,
                new CommandPipeline.Settings(1024, 4096, BATCH_BYTES, 1, MAX_COMMAND));
        try {
            List<Answer> answers = new ArrayList<>();
            answers.add(send(pipeline, "MGET", key('a', 10)));
            // held: the entry above waits, so everything below piles up in the ring
            int[] sizes = {600_000, 600_000, 300_000, 2_500_000, 10, 10, 1_000_000, 900_000, 200_000};
            for (int i = 0; i < sizes.length; i++) {
                answers.add(send(pipeline, "MGET", key((char) ('b' + i), sizes[i])));
            }
            release.countDown();
            for (Answer a : answers) {
                assertThat(a.done.await(20, TimeUnit.SECONDS)).isTrue();
            }

            long largestCommand = 0;
            int commands = 0;
            for (byte[] entry : entries) {
                long[] commandSizes = commandSizes(entry);
                commands += commandSizes.length;
                long biggest = Arrays.stream(commandSizes).max().orElse(0);
                largestCommand = Math.max(largestCommand, biggest);
                if (commandSizes.length > 1) {
                    assertThat(entry.length).as("an entry of several commands").isLessThanOrEqualTo(BATCH_BYTES);
                } else {
                    assertThat(entry.length).isLessThanOrEqualTo(LogEntryFormat.HEADER_BYTES + MAX_COMMAND);
                }
            }
            assertThat(commands).isEqualTo(answers.size());
            assertThat(largestCommand).isEqualTo(LogEntryFormat.commandBytes(answers.get(4).args));
            assertThat(entries.size()).as("batched: fewer entries than commands").isLessThan(answers.size());
            // in order: each command's entry number never goes down
            long last = 0;
            for (Answer a : answers) {
                long entry = ((Reply.Int) a.slot.reply()).value();
                assertThat(entry).isGreaterThanOrEqualTo(last);
                last = entry;
            }
        } finally {
            pipeline.close();
        }
    }

    @Test
    void aCommandOverTheLimitThatSkippedTheCheckIsRefusedAloneAndTheRestGoOn() throws Exception {
        CommandPipeline pipeline = new CommandPipeline(log, () -> 0,
                new CommandPipeline.Settings(1024, 4096, BATCH_BYTES, 1, MAX_COMMAND));
        try {
            Answer first = send(pipeline, "INCR", "a");
            Answer before = send(pipeline, "INCR", "b");
            Answer tooLarge = send(pipeline, "MGET", key('x', MAX_COMMAND));
            Answer after = send(pipeline, "INCR", "c");
            assertThat(pipeline.refuseIfTooLarge(tooLarge.args)).isNotNull();
            assertThat(pipeline.refuseIfTooLarge(after.args)).isNull();
            release.countDown();
            for (Answer a : List.of(first, before, tooLarge, after)) {
                assertThat(a.done.await(20, TimeUnit.SECONDS)).isTrue();
            }
            assertThat(tooLarge.slot.reply()).isEqualTo(Reply.error("ERR command too large: "
                    + (MAX_COMMAND + 9) + " bytes, the limit is " + MAX_COMMAND + " (max-command-bytes)"));
            assertThat(before.slot.reply()).isInstanceOf(Reply.Int.class);
            assertThat(after.slot.reply()).isInstanceOf(Reply.Int.class);
            assertThat(entries.stream().mapToInt(e -> e.length).max().orElseThrow()).isLessThan(1_000);
        } finally {
            pipeline.close();
        }
    }

    private record Answer(byte[][] args, ReplySlot slot, CountDownLatch done) {}

    private Answer send(CommandPipeline pipeline, String... words) throws Exception {
        byte[][] args = new byte[words.length][];
        for (int i = 0; i < words.length; i++) {
            args[i] = words[i].getBytes(StandardCharsets.ISO_8859_1);
        }
        CountDownLatch done = new CountDownLatch(1);
        ReplySlot slot = new ReplySlot(done::countDown);
        pipeline.submit(parser.parse(args), args, slot);
        return new Answer(args, slot, done);
    }

    private static String key(char c, int length) {
        return String.valueOf(c).repeat(length);
    }

    /** The {@link LogEntryFormat#commandBytes} of each command in an entry. */
    private static long[] commandSizes(byte[] entry) {
        List<Long> sizes = new ArrayList<>();
        LogEntryFormat.read(entry, new LogEntryFormat.Visitor() {
            @Override
            public void time(long leaderTime) {
            }

            @Override
            public void command(int index, dev.seckill.store.command.Op op, byte[][] args) {
                sizes.add(LogEntryFormat.commandBytes(args));
            }
        });
        return sizes.stream().mapToLong(Long::longValue).toArray();
    }
}
