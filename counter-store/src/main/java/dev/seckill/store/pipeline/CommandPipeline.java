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
 *       {@code maxBatchCommands} or {@code maxBatchBytes}, and hands it to the log; at most
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

    public CommandPipeline(LogAppender log, LongSupplier clock, Settings settings) {
        this.maxInFlight = settings.maxInFlight();
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

    /** The pipeline's bounds. */
    public record Settings(int ringSize, int maxBatchCommands, int maxBatchBytes, int maxInFlight) {
        public static Settings defaults() {
            return new Settings(1 << 16, 4096, 1 << 20, Integer.getInteger("store.maxInFlight", 8));
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
            if (!open) {
                entry.begin(clock.getAsLong());
                open = true;
            }
            if (event.args != null) {
                slots[entry.count()] = event.slot;
                commands[entry.count()] = event.command;
                entry.add(event.command.op(), event.args);
            }
            event.clear();
            if (endOfBatch || entry.count() == settings.maxBatchCommands() || entry.length() >= settings.maxBatchBytes()) {
                submit();
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
