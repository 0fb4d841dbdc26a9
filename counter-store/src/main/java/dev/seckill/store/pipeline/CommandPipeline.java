package dev.seckill.store.pipeline;

import com.lmax.disruptor.BlockingWaitStrategy;
import com.lmax.disruptor.EventHandler;
import com.lmax.disruptor.EventTranslator;
import com.lmax.disruptor.EventTranslatorThreeArg;
import com.lmax.disruptor.RingBuffer;
import com.lmax.disruptor.dsl.Disruptor;
import com.lmax.disruptor.dsl.ProducerType;
import dev.seckill.store.command.Command;
import dev.seckill.store.protocol.Reply;
import dev.seckill.store.replication.EntryLimits;
import dev.seckill.store.replication.LogEntryFormat;

import java.util.Arrays;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * The write path, stage by stage:
 * <ol>
 *   <li>Netty I/O threads (many) validate a command and publish it into the ring, lock-free.</li>
 *   <li>The batching stage (one thread) packs every command available into ONE log entry, up to
 *       {@code maxBatchCommands} or {@code maxBatchBytes} (a command that would take an entry past
 *       that starts the next one, so only a command alone may make an entry larger, up to
 *       {@code maxCommandBytes}), and hands it to the log; at most
 *       {@code maxInFlight} entries wait for commit at once. While they wait, commands pile up in
 *       the ring and the next entry gets bigger: light load costs one entry per command (low
 *       latency), heavy load grows the entries (high throughput), with no timer.</li>
 *   <li>The log (Ratis) makes the entry durable and replicated, then its state machine applies it
 *       on its single apply thread and fills each command's reply slot.</li>
 * </ol>
 * The ring is bounded: when the log falls behind, I/O threads wait to publish, which stops them
 * reading from their sockets (TCP backpressure) instead of queueing without limit.
 */
public final class CommandPipeline implements AutoCloseable {
    private static final EventTranslatorThreeArg<CommandEvent, Command, byte[][], ReplySlot> COMMAND =
            (event, seq, command, args, slot) -> {
                event.command = command;
                event.args = args;
                event.slot = slot;
            };
    private static final EventTranslator<CommandEvent> TICK = (event, seq) -> event.clear();

    private final Disruptor<CommandEvent> disruptor;
    private final RingBuffer<CommandEvent> ring;
    private final AtomicLong entries = new AtomicLong();
    private final AtomicLong commands = new AtomicLong();
    private final Semaphore inFlight;
    private final int maxInFlight;
    private final int maxCommandBytes;

    public CommandPipeline(LogAppender log, LongSupplier clock, Settings settings) {
        this.maxInFlight = settings.maxInFlight();
        this.maxCommandBytes = settings.maxCommandBytes();
        this.inFlight = new Semaphore(maxInFlight);
        this.disruptor = new Disruptor<>(CommandEvent::new, settings.ringSize(),
                r -> {
                    Thread t = new Thread(r, "batching-stage");
                    t.setDaemon(true);
                    return t;
                },
                ProducerType.MULTI, new BlockingWaitStrategy());
        disruptor.handleEventsWith(new BatchingStage(log, clock, settings));
        this.ring = disruptor.start();
    }

    /**
     * The answer to a command too large for one log entry ({@code maxCommandBytes}), or null when
     * it fits. Called on the I/O thread before {@link #submit}, so such a command never reaches the
     * log (where Ratis would refuse the whole entry, everyone's commands in it, and step down).
     */
    public Reply refuseIfTooLarge(byte[][] args) {
        long bytes = LogEntryFormat.commandBytes(args);
        return bytes <= maxCommandBytes ? null : tooLarge(bytes, maxCommandBytes);
    }

    static Reply tooLarge(long bytes, int max) {
        return Reply.error("ERR command too large: " + bytes + " bytes, the limit is " + max + " (max-command-bytes)");
    }

    /** Publishes a validated command; its answer arrives in {@code slot}. Called by I/O threads. */
    public void submit(Command command, byte[][] args, ReplySlot slot) {
        ring.publishEvent(COMMAND, command, args, slot);
    }

    /** Makes the next entry carry the leader's clock even if no client sends anything. */
    public void tick() {
        ring.publishEvent(TICK);
    }

    /** True when nothing waits in the ring or for the log. */
    public boolean idle() {
        return ring.remainingCapacity() == ring.getBufferSize() && inFlight.availablePermits() == maxInFlight;
    }

    /** Waits until everything accepted so far was answered, or the time runs out. */
    public boolean drain(long timeoutMillis) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        while (!idle()) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(5);
        }
        return true;
    }

    public long entries() {
        return entries.get();
    }

    public long commands() {
        return commands.get();
    }

    public int entriesInFlight() {
        return maxInFlight - inFlight.availablePermits();
    }

    @Override
    public void close() {
        disruptor.halt();
    }

    /**
     * The pipeline's bounds.
     *
     * @param maxBatchBytes   an entry takes more commands only while they keep it within this
     * @param maxCommandBytes the largest command (as {@link LogEntryFormat#commandBytes} counts
     *                        it) the pipeline takes; larger ones are refused before the log
     */
    public record Settings(int ringSize, int maxBatchCommands, int maxBatchBytes, int maxInFlight, int maxCommandBytes) {
        public Settings {
            EntryLimits.check("the batch byte limit", maxBatchBytes);
            EntryLimits.check("--max-command-bytes", maxCommandBytes);
        }

        /** 65,536 ring slots, 4096 commands or 1 MiB per entry, 8 entries in flight, commands up to 4,128,768 bytes. */
        public static Settings defaults() {
            return new Settings(1 << 16, 4096, 1 << 20, Integer.getInteger("store.maxInFlight", 8),
                    EntryLimits.MAX_COMMAND_BYTES);
        }

        public Settings withMaxCommandBytes(int bytes) {
            return new Settings(ringSize, maxBatchCommands, maxBatchBytes, maxInFlight, bytes);
        }
    }

    /** Stage 2: packs what the ring holds into entries. Runs on its own thread only. */
    private final class BatchingStage implements EventHandler<CommandEvent> {
        private final LogAppender log;
        private final LongSupplier clock;
        private final Settings settings;
        private final EntryBuffer entry = new EntryBuffer();
        private final ReplySlot[] slots;
        private final Command[] commands;
        private boolean open;

        BatchingStage(LogAppender log, LongSupplier clock, Settings settings) {
            this.log = log;
            this.clock = clock;
            this.settings = settings;
            this.slots = new ReplySlot[settings.maxBatchCommands()];
            this.commands = new Command[settings.maxBatchCommands()];
        }

        @Override
        public void onEvent(CommandEvent event, long sequence, boolean endOfBatch) throws InterruptedException {
            if (event.args != null) {
                long bytes = LogEntryFormat.commandBytes(event.args);
                if (bytes > settings.maxCommandBytes()) {
                    // refused on the I/O thread already; a caller that skipped the check must not
                    // make the log refuse the entry, and everyone's commands in it
                    event.slot.complete(tooLarge(bytes, settings.maxCommandBytes()));
                    event.clear();
                    if (endOfBatch && open) {
                        submit();
                    }
                    return;
                }
                if (open && entry.count() > 0 && entry.length() + bytes > settings.maxBatchBytes()) {
                    submit(); // the command would take the entry past its byte limit: it starts the next one
                }
                begin();
                slots[entry.count()] = event.slot;
                commands[entry.count()] = event.command;
                entry.add(event.command.op(), event.args, (int) bytes);
            } else {
                begin();
            }
            event.clear();
            if (endOfBatch || entry.count() == settings.maxBatchCommands() || entry.length() >= settings.maxBatchBytes()) {
                submit();
            }
        }

        private void begin() {
            if (!open) {
                entry.begin(clock.getAsLong());
                open = true;
            }
        }

        private void submit() throws InterruptedException {
            int count = entry.count();
            ReplySlot[] batchSlots = Arrays.copyOf(slots, count);
            Command[] batchCommands = Arrays.copyOf(commands, count);
            Arrays.fill(slots, 0, count, null);
            Arrays.fill(commands, 0, count, null);
            byte[] bytes = entry.finish();
            open = false;
            Batch batch = new Batch(batchSlots, batchCommands, count);
            inFlight.acquire(); // at most maxInFlight entries wait for commit; the ring absorbs the rest
            entries.incrementAndGet();
            CommandPipeline.this.commands.addAndGet(count);
            try {
                log.append(bytes, batch).whenComplete((ok, failure) -> inFlight.release());
            } catch (RuntimeException e) {
                inFlight.release();
                batch.fail(Reply.error("ERR the log refused the write: " + e.getMessage()));
            }
        }
    }
}
