package dev.seckill.store.shard;

import static org.assertj.core.api.Assertions.assertThat;

import dev.seckill.store.command.Command;
import dev.seckill.store.command.CommandException;
import dev.seckill.store.command.CommandParser;
import dev.seckill.store.command.Op;
import dev.seckill.store.command.TransactionCodec;
import dev.seckill.store.inventory.BookSettings;
import dev.seckill.store.protocol.Reply;
import dev.seckill.store.protocol.RespWriter;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * WATCH and EXEC decide the same on every replica: the node that built an entry applies the
 * commands its I/O thread parsed, the others parse the entry's bytes, and a replica restored from
 * a snapshot taken between a WATCH and its EXEC must decide as one that never stopped.
 */
class TransactionReplicaTest {
    private static final BookSettings SETTINGS = BookSettings.defaults();

    /** One replica: applies entries as the state machine does, with the log index and the leader's clock. */
    private static final class Replica {
        ShardState state = new ShardState(SETTINGS);
        final CommandParser parser = new CommandParser();
        long index;

        /** Applies one entry; {@code built} says whether this replica built it (no parsing of the bytes). */
        List<Reply> apply(List<Sent> entry, boolean built) throws CommandException {
            state.beginEntry(++index);
            state.advanceTo(1_000_000 + index);
            List<Reply> out = new ArrayList<>();
            for (Sent s : entry) {
                Command c = built ? s.parsed : parser.parse(s.op, s.logArgs());
                out.add(state.execute(c));
            }
            return out;
        }

        byte[] snapshot() throws IOException {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            state.writeTo(new DataOutputStream(bytes));
            return bytes.toByteArray();
        }

        static Replica restored(byte[] snapshot, long index) throws IOException {
            Replica r = new Replica();
            r.state.readFrom(new DataInputStream(new ByteArrayInputStream(snapshot)), SETTINGS);
            r.index = index;
            return r;
        }
    }

    /** A command as the I/O thread parsed it, with the arguments an entry carries. */
    private record Sent(Op op, byte[][] args, Command parsed) {
        static Sent of(String... words) throws CommandException {
            byte[][] args = bytes(words);
            Op op = Op.byName(args[0]);
            return new Sent(op, args, new CommandParser().parse(op, args));
        }

        static Sent watch(String... keys) throws CommandException {
            byte[][] args = bytes(prepend("WATCH", keys));
            return new Sent(Op.WATCH, args, new CommandParser().parse(Op.WATCH, args));
        }

        /** EXEC of {@code queued} with what a WATCH answered for {@code keys}, built as Transaction builds it. */
        static Sent exec(List<String> keys, Reply watchAnswer, List<Sent> queued) {
            List<Reply> v = ((Reply.Array) watchAnswer).items();
            long counters = ((Reply.Int) v.get(0)).value();
            long skus = ((Reply.Int) v.get(1)).value();
            List<TransactionCodec.Watched> watched = new ArrayList<>();
            long[] versions = new long[2 * keys.size()];
            for (int i = 0; i < keys.size(); i++) {
                watched.add(new TransactionCodec.Watched(keys.get(i).getBytes(StandardCharsets.ISO_8859_1), counters, skus));
                versions[2 * i] = counters;
                versions[2 * i + 1] = skus;
            }
            List<byte[][]> args = new ArrayList<>();
            List<Command> commands = new ArrayList<>();
            for (Sent q : queued) {
                args.add(q.args);
                commands.add(q.parsed);
            }
            Command parsed = new Command(Op.EXEC, null, 0, 0, null, null, -1, 0, keys.toArray(new String[0]), versions,
                    false, commands.toArray(new Command[0]));
            return new Sent(Op.EXEC, TransactionCodec.encode(watched, args), parsed);
        }

        /** The arguments as a follower reads them back from the entry: the name is not stored. */
        byte[][] logArgs() {
            byte[][] a = args.clone();
            a[0] = new byte[0];
            return a;
        }

        private static String[] prepend(String first, String[] rest) {
            String[] all = new String[rest.length + 1];
            all[0] = first;
            System.arraycopy(rest, 0, all, 1, rest.length);
            return all;
        }

        private static byte[][] bytes(String... words) {
            byte[][] a = new byte[words.length][];
            for (int i = 0; i < words.length; i++) {
                a[i] = words[i].getBytes(StandardCharsets.ISO_8859_1);
            }
            return a;
        }
    }

    /**
     * A SKU changed after the WATCH and the change was acknowledged by the sync before the
     * snapshot: the restored replica must still know the SKU changed (snapshots before format 3
     * lost an acknowledged SKU's change sequence, and a restored replica then ran the EXEC that
     * the others refused).
     */
    @Test
    void aReplicaRestoredBetweenWatchAndExecDecidesAsTheOthers() throws Exception {
        Replica leader = new Replica();
        leader.apply(List.of(Sent.of("SET", "k", "1"), Sent.of("INV.CREATE", "phone", "10")), true);
        Reply watched = leader.apply(List.of(Sent.watch("k", "phone")), true).get(0);
        List<Reply> changed = leader.apply(List.of(Sent.of("INV.RESERVE", "phone", "1", "order-1")), true);
        assertThat(changed).containsExactly(Reply.integer(9));
        Reply feed = leader.apply(List.of(Sent.of("INV.CHANGES", "0", "100")), true).get(0);
        long lastSeq = ((Reply.Int) ((Reply.Array) feed).items().get(0)).value();
        leader.apply(List.of(Sent.of("INV.ACK", Long.toString(lastSeq))), true);

        Replica restored = Replica.restored(leader.snapshot(), leader.index);
        Sent exec = Sent.exec(List.of("k", "phone"), watched, List.of(Sent.of("INCR", "k")));
        assertThat(leader.apply(List.of(exec), true)).containsExactly(Reply.NULL_ARRAY);
        assertThat(restored.apply(List.of(exec), false)).containsExactly(Reply.NULL_ARRAY);
    }

    /**
     * Random histories of counter writes, reservations, acknowledgements, WATCHes and EXECs,
     * applied by a replica that built the entries, one that reads them back from their bytes, and
     * one restored from a snapshot at a random point: every answer and the final state agree.
     */
    @Test
    void everyReplicaAnswersEveryTransactionTheSame() throws Exception {
        Random random = new Random(20_261_127);
        int aborted = 0;
        int ran = 0;
        for (int run = 0; run < 300; run++) {
            Replica builder = new Replica();
            Replica follower = new Replica();
            Replica restored = null;
            List<Sent> setup = List.of(Sent.of("INV.CREATE", "s0", "1000"), Sent.of("INV.CREATE", "s1", "1000"));
            builder.apply(setup, true);
            follower.apply(setup, false);
            int snapshotAt = random.nextInt(30);
            List<String> watchedKeys = new ArrayList<>();
            Reply watchAnswer = null;
            for (int step = 0; step < 30; step++) {
                List<Sent> entry = new ArrayList<>();
                int commands = 1 + random.nextInt(3);
                for (int c = 0; c < commands; c++) {
                    int what = random.nextInt(10);
                    if (what == 0 && watchAnswer == null) {
                        watchedKeys = List.of("k" + random.nextInt(4), "s" + random.nextInt(2));
                        entry.add(Sent.watch(watchedKeys.toArray(new String[0])));
                    } else if (what == 1 && watchAnswer != null) {
                        entry.add(Sent.exec(watchedKeys, watchAnswer, List.of(Sent.of("INCR", "k0"),
                                Sent.of("INV.RESERVE", "s1", "1", "tx-" + run + "-" + step),
                                Sent.of("INCRBY", "k1", "9223372036854775807"))));
                        watchAnswer = null;
                    } else {
                        entry.add(randomWrite(random, run, step, c));
                    }
                }
                List<Reply> a = builder.apply(entry, true);
                List<Reply> b = follower.apply(entry, false);
                assertThat(wire(b)).as("run %d step %d: the follower", run, step).isEqualTo(wire(a));
                if (restored != null) {
                    assertThat(wire(restored.apply(entry, false))).as("run %d step %d: the restored replica", run, step)
                            .isEqualTo(wire(a));
                }
                for (int i = 0; i < entry.size(); i++) {
                    if (entry.get(i).op == Op.WATCH) {
                        watchAnswer = a.get(i);
                    } else if (entry.get(i).op == Op.EXEC) {
                        if (a.get(i) == Reply.NULL_ARRAY) {
                            aborted++;
                        } else {
                            ran++;
                        }
                    }
                }
                if (step == snapshotAt) {
                    restored = Replica.restored(builder.snapshot(), builder.index);
                }
            }
            List<Sent> read = List.of(Sent.of("MGET", "k0", "k1", "k2", "k3"), Sent.of("INV.GET", "s0"),
                    Sent.of("INV.GET", "s1"), Sent.of("DBSIZE"));
            String state = wire(builder.apply(read, true));
            assertThat(wire(follower.apply(read, false))).isEqualTo(state);
            assertThat(wire(restored.apply(read, false))).isEqualTo(state);
        }
        assertThat(aborted).as("EXECs that found a change").isGreaterThan(50);
        assertThat(ran).as("EXECs that ran").isGreaterThan(50);
    }

    private static Sent randomWrite(Random random, int run, int step, int c) throws CommandException {
        String key = "k" + random.nextInt(4);
        String sku = "s" + random.nextInt(2);
        return switch (random.nextInt(8)) {
            case 0 -> Sent.of("SET", key, Integer.toString(random.nextInt(100)));
            case 1 -> Sent.of("INCR", key);
            case 2 -> Sent.of("DEL", key);
            case 3 -> Sent.of("GET", key);
            case 4 -> Sent.of("INV.RESERVE", sku, "1", "r-" + run + "-" + step + "-" + c);
            case 5 -> Sent.of("INV.ACK", Long.toString(1_000_000));
            case 6 -> Sent.of("SET", key, "5", "NX");
            default -> Sent.of("INV.GET", sku);
        };
    }

    private static String wire(List<Reply> replies) {
        StringBuilder b = new StringBuilder();
        for (Reply r : replies) {
            b.append(new String(RespWriter.toBytes(r, 3), StandardCharsets.ISO_8859_1)).append('|');
        }
        return b.toString();
    }
}
