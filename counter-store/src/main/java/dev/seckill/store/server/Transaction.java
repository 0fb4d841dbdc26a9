package dev.seckill.store.server;

import dev.seckill.store.command.Command;
import dev.seckill.store.command.CommandException;
import dev.seckill.store.command.CommandParser;
import dev.seckill.store.command.Op;
import dev.seckill.store.command.TransactionCodec;
import dev.seckill.store.protocol.Reply;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

/**
 * One connection's MULTI / EXEC / DISCARD and WATCH / UNWATCH, as Redis 7 answers them. Runs on
 * the connection's event loop only.
 *
 * <p>Queued shard commands are validated as they are queued and sent, at EXEC, as ONE
 * {@link Op#EXEC} command: one log entry, applied in one go by the single apply thread, so no other
 * command interleaves, and nothing of it is applied unless all of it is in the log. Queued
 * connection commands (PING, CLIENT SETNAME, HELLO...) run when EXEC arrives, in their order;
 * their answers and the log's are put together in the order the commands were queued.
 *
 * <p>WATCH reads, through the log, the versions of the moment it is applied (see ShardState);
 * EXEC carries them into its entry, where every replica compares them the same way. An EXEC
 * that arrives before the answers of this connection's WATCHes did waits for them: the connection
 * stops reading and holds what it already read, so nothing overtakes the EXEC.
 */
final class Transaction {
    static final Reply QUEUED = new Reply.Status("QUEUED");
    private static final Reply EXEC_ABORT =
            Reply.error("EXECABORT Transaction discarded because of previous errors.");

    private final StoreNode node;
    private final ClientConnection conn;
    private final CommandParser parser;
    /** Runs a held message as if it had just been read. */
    private final Consumer<Object> dispatcher;

    /** Between MULTI and EXEC or DISCARD. */
    private boolean queueing;
    /** A command was refused while queueing: EXEC answers EXECABORT. */
    private boolean refused;
    private final List<Queued> queued = new ArrayList<>();
    private long queuedBytes;

    private final List<TransactionCodec.Watched> watched = new ArrayList<>();
    private final Set<String> watchedKeys = new HashSet<>();
    private long watchedBytes;
    /** WATCHes sent to the log whose versions have not come back. */
    private int pendingWatches;
    /** Bumped by UNWATCH (and what implies it): versions that come back for an older epoch are dropped. */
    private int epoch;
    /** A WATCH failed in the log (it was answered with the error): the next EXEC answers nil. */
    private boolean watchLost;

    /** Messages read while an EXEC waits for WATCH versions; the connection reads nothing more meanwhile. */
    private final ArrayDeque<Object> held = new ArrayDeque<>();
    private boolean holding;

    /** A command between MULTI and EXEC: a shard command, a connection command, or a refusal known at once. */
    private record Queued(byte[][] args, Command command, String connectionCommand, Reply refusal) {}

    Transaction(StoreNode node, ClientConnection conn, CommandParser parser, Consumer<Object> dispatcher) {
        this.node = node;
        this.conn = conn;
        this.parser = parser;
        this.dispatcher = dispatcher;
    }

    boolean queueing() {
        return queueing;
    }

    boolean holding() {
        return holding;
    }

    /** Keeps a message read while an EXEC waits for its WATCH versions. */
    void hold(Object msg) {
        held.addLast(msg);
    }

    // ---- MULTI, DISCARD, UNWATCH ----

    void multi() {
        if (queueing) {
            conn.answer(Reply.error("ERR MULTI calls can not be nested"));
            return;
        }
        queueing = true;
        refused = false;
        conn.answer(Reply.OK);
    }

    void discard() {
        if (!queueing) {
            conn.answer(Reply.error("ERR DISCARD without MULTI"));
            return;
        }
        reset();
        conn.answer(Reply.OK);
    }

    /** Forgets the queued commands and the watched keys (DISCARD, EXEC, RESET, a refused EXEC). */
    void reset() {
        queueing = false;
        refused = false;
        queued.clear();
        queuedBytes = 0;
        unwatch();
    }

    void unwatch() {
        watched.clear();
        watchedKeys.clear();
        watchedBytes = 0;
        watchLost = false;
        epoch++;
    }

    /** A command Redis refuses before running it (unknown, wrong arity): EXEC will abort. */
    void refusedWhileQueueing() {
        if (queueing) {
            refused = true;
        }
    }

    /** EXEC itself was refused (wrong arity): Redis discards the transaction with this reason. */
    void execRefused(String reason) {
        reset();
        conn.answer(Reply.error("EXECABORT Transaction discarded because of: " + reason));
    }

    // ---- queueing ----

    /** A shard command, parsed and valid. */
    void queue(Command command, byte[][] args) {
        add(new Queued(args, command, null, null), TransactionCodec.queuedBytes(args));
    }

    /**
     * A shard command the parser refused: a wrong number of arguments is refused now (EXEC will
     * abort), any other error is queued and answered in EXEC's answer, as Redis answers errors it
     * finds when it runs a command.
     */
    void queueRefused(byte[][] args, CommandException e) {
        if (e.isArity()) {
            refused = true;
            conn.answer(Reply.error(e.getMessage()));
        } else {
            add(new Queued(args, null, null, Reply.error(e.getMessage())), TransactionCodec.argumentBytes(args));
        }
    }

    /** A connection command (PING, HELLO, CLIENT...): run when EXEC arrives. */
    void queueConnectionCommand(String name, byte[][] args) {
        add(new Queued(args, null, name, null), TransactionCodec.argumentBytes(args));
    }

    private void add(Queued q, long bytes) {
        if (queued.size() >= node.maxTransactionCommands()
                || watchedBytes + queuedBytes + bytes > node.maxTransactionBytes()) {
            refused = true;
            conn.answer(Reply.error("ERR a transaction holds at most " + node.maxTransactionCommands()
                    + " commands and " + node.maxTransactionBytes() + " bytes (it must fit one log entry)"));
            return;
        }
        if (!refused) { // like Redis: nothing is kept of a transaction that will abort anyway
            queued.add(q);
            queuedBytes += bytes;
        }
        conn.answer(QUEUED);
    }

    // ---- WATCH ----

    void watch(byte[][] args) {
        if (queueing) {
            conn.answer(Reply.error("ERR WATCH inside MULTI is not allowed"));
            return;
        }
        long bytes = 0;
        for (int i = 1; i < args.length; i++) {
            bytes += TransactionCodec.watchedBytes(args[i]);
        }
        if (watchedBytes + bytes > node.maxTransactionBytes() / 2) {
            conn.answer(Reply.error("ERR the keys a connection watches take at most "
                    + node.maxTransactionBytes() / 2 + " bytes"));
            return;
        }
        Command command;
        try {
            command = parser.parse(Op.WATCH, args);
        } catch (CommandException e) {
            conn.answer(Reply.error(e.getMessage())); // arity was checked before: cannot happen
            return;
        }
        watchedBytes += bytes;
        pendingWatches++;
        int watchEpoch = epoch;
        node.pipeline().submit(command, args,
                conn.awaitReply((reply, protocol) -> watchApplied(args, watchEpoch, reply, protocol)));
    }

    /** WATCH's answer from the log, in its turn: remembers the versions, answers +OK. */
    private void watchApplied(byte[][] args, int watchEpoch, Reply reply, int protocol) {
        pendingWatches--;
        if (reply instanceof Reply.Array versions && versions.items().size() == 2) {
            long counters = ((Reply.Int) versions.items().get(0)).value();
            long skus = ((Reply.Int) versions.items().get(1)).value();
            if (watchEpoch == epoch) {
                for (int i = 1; i < args.length; i++) {
                    // the first WATCH of a key counts: a change since then already dooms the EXEC
                    if (watchedKeys.add(CommandParser.text(args[i]))) {
                        watched.add(new TransactionCodec.Watched(args[i], counters, skus));
                    }
                }
            }
            conn.write(Reply.OK, protocol);
        } else {
            if (watchEpoch == epoch) {
                watchLost = true;
            }
            conn.write(reply, protocol);
        }
        if (pendingWatches == 0 && holding) {
            conn.channel().eventLoop().execute(this::release);
        }
    }

    /** Runs what was held while EXEC waited for WATCH versions, then reads again. */
    private void release() {
        holding = false;
        Object msg;
        while (!holding && (msg = held.pollFirst()) != null) {
            dispatcher.accept(msg);
        }
        if (!holding) {
            conn.channel().config().setAutoRead(true);
        }
        conn.flush();
    }

    // ---- EXEC ----

    void exec(byte[][] args) {
        if (!queueing) {
            conn.answer(Reply.error("ERR EXEC without MULTI"));
            return;
        }
        if (pendingWatches > 0) {
            // the versions of a WATCH sent before are not back yet: wait for them, and keep
            // everything after the EXEC behind it
            holding = true;
            held.addFirst(args);
            conn.channel().config().setAutoRead(false);
            return;
        }
        if (refused) {
            reset();
            conn.answer(EXEC_ABORT);
            return;
        }
        if (watchLost) {
            reset();
            conn.answer(Reply.NULL_ARRAY);
            return;
        }
        int execProtocol = conn.protocol;
        int n = queued.size();
        Reply[] answers = new Reply[n];
        byte[] protocols = new byte[n];
        List<byte[][]> logArgs = new ArrayList<>();
        List<Command> logCommands = new ArrayList<>();
        int[] fromLog = new int[n];
        int logged = 0;
        for (int i = 0; i < n; i++) {
            Queued q = queued.get(i);
            if (q.connectionCommand() != null) {
                answers[i] = ConnectionCommands.run(node, conn, q.connectionCommand(), q.args());
            } else if (q.refusal() != null) {
                answers[i] = q.refusal();
            } else {
                logArgs.add(q.args());
                logCommands.add(q.command());
                fromLog[logged++] = i;
            }
            protocols[i] = (byte) conn.protocol; // HELLO inside MULTI changes the protocol of what follows
        }
        List<TransactionCodec.Watched> watchedNow = List.copyOf(watched);
        reset();
        Answer answer = new Answer(execProtocol, answers, protocols, fromLog, logged);
        if (logged == 0 && watchedNow.isEmpty()) {
            // nothing for the log: answered in its turn, like any answer
            conn.awaitReply((reply, protocol) -> answer.write(conn, reply)).complete(Reply.EMPTY_ARRAY);
            return;
        }
        String[] keys = new String[watchedNow.size()];
        long[] versions = new long[2 * keys.length];
        for (int i = 0; i < keys.length; i++) {
            TransactionCodec.Watched w = watchedNow.get(i);
            keys[i] = CommandParser.text(w.key());
            versions[2 * i] = w.counterVersion();
            versions[2 * i + 1] = w.skuVersion();
        }
        Command command = new Command(Op.EXEC, null, 0, 0, null, null, -1, 0, keys, versions, false,
                logCommands.toArray(new Command[0]));
        node.pipeline().submit(command, TransactionCodec.encode(watchedNow, logArgs),
                conn.awaitReply((reply, protocol) -> answer.write(conn, reply)));
    }

    /** EXEC's answer: the connection commands' answers, and the log's filled in at their places. */
    private record Answer(int protocol, Reply[] answers, byte[] protocols, int[] fromLog, int logged) {
        void write(ClientConnection conn, Reply fromLog) {
            if (fromLog instanceof Reply.Array results) {
                for (int j = 0; j < logged; j++) {
                    answers[this.fromLog[j]] = results.items().get(j);
                }
            } else {
                conn.write(fromLog, protocol); // nil (a watched key changed), or the log refused the entry
                return;
            }
            conn.writeArrayHeader(answers.length);
            for (int i = 0; i < answers.length; i++) {
                conn.write(answers[i], protocols[i]);
            }
        }
    }

    /** The connection closed: what was held or queued goes. */
    void closed() {
        held.clear();
        queued.clear();
        watched.clear();
        watchedKeys.clear();
    }
}
