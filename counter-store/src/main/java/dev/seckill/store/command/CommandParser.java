package dev.seckill.store.command;

import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;

/**
 * Turns a client's arguments into a {@link Command}, or says precisely what is wrong with them.
 * The same parser runs on the I/O thread (so bad input is answered there and never reaches the
 * log) and in the state machine (which reads the arguments back from the log entry).
 *
 * <p>Keys and ids are kept as ISO-8859-1 strings: one char per byte, so any binary key round-trips.
 */
public final class CommandParser {
    /** The longest SKU id, request id or user id, in bytes. */
    public static final int MAX_ID_BYTES = 128;
    /** The longest reservation time to live: 30 days. */
    public static final long MAX_TTL_MS = 30L * 24 * 3600 * 1000;
    static final String NOT_AN_INTEGER = "ERR value is not an integer or out of range";
    static final String SYNTAX_ERROR = "ERR syntax error";
    static final String EXPIRY_NOT_SUPPORTED =
            "ERR keys here never expire: SET takes no EX, PX, EXAT or PXAT";
    static final String MALFORMED_EXEC = "ERR malformed EXEC entry";

    /** SKU and user ids repeat (a flash sale hammers one SKU): the same bytes give the same String. */
    private final IdCache ids = new IdCache();

    public Command parse(byte[][] args) throws CommandException {
        Op op = Op.byName(args[0]);
        if (op == null) {
            throw new CommandException(unknownCommand(args));
        }
        return parse(op, args);
    }

    /**
     * Redis 7's text for a command it does not know: the name and the first arguments, each cut
     * where C would cut it (at 128 bytes, or at a NUL byte), until 128 bytes of arguments were
     * shown: {@code ERR unknown command 'x', with args beginning with: 'a' 'b' }.
     */
    public static String unknownCommand(byte[][] args) {
        StringBuilder shown = new StringBuilder();
        for (int i = 1; i < args.length && shown.length() < 128; i++) {
            int room = 128 - shown.length(); // C's precision: what is left of 128, before the quote
            shown.append('\'').append(cString(args[i], room)).append("' ");
        }
        return "ERR unknown command '" + cString(args[0], 128) + "', with args beginning with: " + shown;
    }

    /** The text of {@code b} as C's {@code %.Ns} prints it: at most {@code max} bytes, none from a NUL on. */
    public static String cString(byte[] b, int max) {
        int n = 0;
        while (n < b.length && n < max && b[n] != 0) {
            n++;
        }
        return new String(b, 0, n, StandardCharsets.ISO_8859_1);
    }

    /** Parses the arguments of {@code op}; {@code a[0]} (the name) is not read. */
    public Command parse(Op op, byte[][] a) throws CommandException {
        return switch (op) {
            case GET -> Command.of(op, key(a, 2, op), 0);
            case INCR, DECR -> Command.of(op, key(a, 2, op), 0);
            case SET -> set(a);
            case INCRBY, DECRBY -> Command.of(op, key(a, 3, op), integer(a[2]));
            case DEL, EXISTS, MGET, WATCH -> keys(op, a);
            case DBSIZE -> {
                arity(a, 1, op);
                yield Command.of(op, null, 0);
            }
            case INV_CREATE -> Command.of(op, id(a, 3, op, "SKU"), nonNegative(integer(a[2])));
            case INV_RESTOCK -> restock(a);
            case INV_GET -> Command.of(op, id(a, 2, op, "SKU"), 0);
            case INV_RESERVE -> take(op, a, true);
            case INV_DEDUCT -> take(op, a, false);
            case INV_RESERVEALL -> reserveAll(a);
            case INV_CONFIRM, INV_CANCEL, INV_RESERVATION -> {
                arity(a, 2, op);
                yield new Command(op, null, 0, 0, requestId(a[1]), null, -1, 0, null, null, false);
            }
            case INV_SCAN -> scan(a);
            case INV_CHANGES -> {
                arity(a, 3, op);
                long count = integer(a[2]);
                if (count < 1 || count > 100_000) {
                    throw new CommandException("ERR count must be 1 to 100000");
                }
                yield new Command(op, null, integer(a[1]), count, null, null, -1, 0, null, null, false);
            }
            case INV_ACK -> {
                arity(a, 2, op);
                yield Command.of(op, null, integer(a[1]));
            }
            case TICK -> throw new CommandException("ERR unknown command 'TICK'");
            case EXEC -> exec(a);
        };
    }

    /**
     * {@code SET key value [NX|XX] [GET] [KEEPTTL]}: Redis's options, checked in Redis's order.
     * The value must be a signed 64-bit integer, and keys never expire here, so EX, PX, EXAT and
     * PXAT are refused (KEEPTTL keeps what there is: nothing).
     */
    private Command set(byte[][] a) throws CommandException {
        if (a.length < 3) {
            throw arityError(Op.SET);
        }
        long flags = 0;
        for (int i = 3; i < a.length; i++) {
            String opt = text(a[i]).toUpperCase(Locale.ROOT);
            boolean hasNext = i + 1 < a.length;
            switch (opt) {
                case "NX" -> flags = (flags & Command.SET_XX) == 0 ? flags | Command.SET_NX : -1;
                case "XX" -> flags = (flags & Command.SET_NX) == 0 ? flags | Command.SET_XX : -1;
                case "GET" -> flags |= Command.SET_GET;
                case "KEEPTTL" -> { }
                case "EX", "PX", "EXAT", "PXAT" -> {
                    if (!hasNext) {
                        flags = -1;
                    } else {
                        throw new CommandException(EXPIRY_NOT_SUPPORTED);
                    }
                }
                default -> flags = -1;
            }
            if (flags < 0) {
                throw new CommandException(SYNTAX_ERROR);
            }
        }
        return new Command(Op.SET, ids.get(a[1]), integer(a[2]), flags, null, null, -1, 0, null, null, false);
    }

    /** The form {@link TransactionCodec} writes: watched keys with their versions, then the queued commands. */
    private Command exec(byte[][] a) throws CommandException {
        if (a.length < 2) {
            throw arityError(Op.EXEC);
        }
        long watched = integer(a[1]);
        if (watched < 0 || watched > (a.length - 2) / 3) {
            throw new CommandException(MALFORMED_EXEC);
        }
        String[] keys = new String[(int) watched];
        long[] versions = new long[2 * keys.length];
        int at = 2;
        for (int i = 0; i < keys.length; i++) {
            keys[i] = text(a[at]);
            versions[2 * i] = integer(a[at + 1]);
            versions[2 * i + 1] = integer(a[at + 2]);
            at += 3;
        }
        java.util.List<Command> queued = new java.util.ArrayList<>();
        while (at < a.length) {
            Op op = at + 1 < a.length ? Op.byName(a[at]) : null;
            if (op == null) {
                throw new CommandException(MALFORMED_EXEC);
            }
            long argc = integer(a[at + 1]);
            if (argc < 0 || argc > a.length - at - 2) {
                throw new CommandException(MALFORMED_EXEC);
            }
            byte[][] args = new byte[(int) argc + 1][];
            args[0] = a[at];
            System.arraycopy(a, at + 2, args, 1, (int) argc);
            queued.add(parse(op, args));
            at += 2 + (int) argc;
        }
        return new Command(Op.EXEC, null, 0, 0, null, null, -1, 0, keys, versions, false,
                queued.toArray(new Command[0]));
    }

    /** {@code INV.RESTOCK sku delta [reqId]} */
    private Command restock(byte[][] a) throws CommandException {
        if (a.length != 3 && a.length != 4) {
            throw arityError(Op.INV_RESTOCK);
        }
        String sku = id(a[1], "SKU");
        long delta = integer(a[2]);
        String reqId = a.length == 4 ? requestId(a[3]) : null;
        return new Command(Op.INV_RESTOCK, sku, delta, 0, reqId, null, -1, 0, null, null, false);
    }

    /** {@code INV.RESERVE|INV.DEDUCT sku qty reqId [USER uid] [LIMIT n] [TTL ms] [DETAIL]} */
    private Command take(Op op, byte[][] a, boolean ttlAllowed) throws CommandException {
        if (a.length < 4) {
            throw arityError(op);
        }
        String sku = id(a[1], "SKU");
        long qty = positive(integer(a[2]));
        String reqId = requestId(a[3]);
        Options o = options(a, 4, a.length, ttlAllowed, true);
        return new Command(op, sku, qty, 0, reqId, o.user, o.limit, o.ttl, null, null, o.detail);
    }

    /** {@code INV.RESERVEALL reqId [USER uid] [LIMIT n] [TTL ms] ITEMS sku qty [sku qty ...]} */
    private Command reserveAll(byte[][] a) throws CommandException {
        if (a.length < 5) {
            throw arityError(Op.INV_RESERVEALL);
        }
        String reqId = requestId(a[1]);
        int items = -1;
        for (int i = 2; i < a.length; i++) {
            if ("ITEMS".equalsIgnoreCase(text(a[i]))) {
                items = i;
                break;
            }
        }
        if (items < 0) {
            throw new CommandException("ERR syntax error, ITEMS sku qty [sku qty ...] expected");
        }
        Options o = options(a, 2, items, true, false);
        int pairs = a.length - items - 1;
        if (pairs == 0 || pairs % 2 != 0) {
            throw new CommandException("ERR syntax error, ITEMS needs sku qty pairs");
        }
        String[] skus = new String[pairs / 2];
        long[] qtys = new long[pairs / 2];
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < skus.length; i++) {
            skus[i] = id(a[items + 1 + 2 * i], "SKU");
            qtys[i] = positive(integer(a[items + 2 + 2 * i]));
            if (!seen.add(skus[i])) {
                throw new CommandException("ERR duplicate SKU '" + skus[i] + "' in ITEMS");
            }
        }
        return new Command(Op.INV_RESERVEALL, null, 0, 0, reqId, o.user, o.limit, o.ttl, skus, qtys, false);
    }

    private record Options(String user, long limit, long ttl, boolean detail) {}

    /** {@code [USER uid] [LIMIT n] [TTL ms]} in any order, and the flag {@code DETAIL} where it applies. */
    private Options options(byte[][] a, int from, int to, boolean ttlAllowed, boolean detailAllowed)
            throws CommandException {
        String user = null;
        long limit = -1;
        long ttl = 0;
        boolean detail = false;
        for (int i = from; i < to; i += 2) {
            String name = text(a[i]).toUpperCase(Locale.ROOT);
            if (detailAllowed && name.equals("DETAIL")) {
                detail = true;
                i--; // a flag: no value follows
                continue;
            }
            if (i + 1 >= to) {
                throw new CommandException("ERR syntax error, " + name + " needs a value");
            }
            switch (name) {
                case "USER" -> user = id(a[i + 1], "user");
                case "LIMIT" -> limit = nonNegative(integer(a[i + 1]));
                case "TTL" -> {
                    if (!ttlAllowed) {
                        throw new CommandException("ERR syntax error, TTL does not apply here");
                    }
                    ttl = positive(integer(a[i + 1]));
                    if (ttl > MAX_TTL_MS) {
                        throw new CommandException("ERR TTL must be at most " + MAX_TTL_MS + " ms");
                    }
                }
                default -> throw new CommandException("ERR syntax error, unknown option '" + text(a[i]) + "'");
            }
        }
        if (limit >= 0 && user == null) {
            throw new CommandException("ERR LIMIT needs USER");
        }
        return new Options(user, limit, ttl, detail);
    }

    private static Command scan(byte[][] a) throws CommandException {
        if (a.length != 2 && a.length != 4) {
            throw arityError(Op.INV_SCAN);
        }
        long cursor = nonNegative(integer(a[1]));
        long count = 10;
        if (a.length == 4) {
            if (!"COUNT".equalsIgnoreCase(text(a[2]))) {
                throw new CommandException("ERR syntax error");
            }
            count = positive(integer(a[3]));
            count = Math.min(count, 100_000);
        }
        return new Command(Op.INV_SCAN, null, cursor, count, null, null, -1, 0, null, null, false);
    }

    private static Command keys(Op op, byte[][] a) throws CommandException {
        if (a.length < 2) {
            throw arityError(op);
        }
        String[] keys = new String[a.length - 1];
        for (int i = 1; i < a.length; i++) {
            keys[i - 1] = text(a[i]);
        }
        return new Command(op, null, 0, 0, null, null, -1, 0, keys, null, false);
    }

    private String key(byte[][] a, int arity, Op op) throws CommandException {
        arity(a, arity, op);
        return ids.get(a[1]);
    }

    private String id(byte[][] a, int arity, Op op, String what) throws CommandException {
        arity(a, arity, op);
        return id(a[1], what);
    }

    private String id(byte[] raw, String what) throws CommandException {
        if (raw.length == 0 || raw.length > MAX_ID_BYTES) {
            throw new CommandException("ERR " + what + " id must be 1 to " + MAX_ID_BYTES + " bytes");
        }
        return ids.get(raw);
    }

    /** The request id: unique per request, so not worth caching. */
    private static String requestId(byte[] raw) throws CommandException {
        if (raw.length == 0 || raw.length > MAX_ID_BYTES) {
            throw new CommandException("ERR request id must be 1 to " + MAX_ID_BYTES + " bytes");
        }
        return text(raw);
    }

    /** A small direct-mapped cache from id bytes to the String made of them. */
    private static final class IdCache {
        private static final int SIZE = 64;
        private final byte[][] keys = new byte[SIZE][];
        private final String[] values = new String[SIZE];

        String get(byte[] raw) {
            int slot = (java.util.Arrays.hashCode(raw) * 0x9E3779B9 >>> 26) & (SIZE - 1);
            byte[] k = keys[slot];
            if (k != null && java.util.Arrays.equals(k, raw)) {
                return values[slot];
            }
            String v = text(raw);
            keys[slot] = raw;
            values[slot] = v;
            return v;
        }
    }

    private static void arity(byte[][] a, int n, Op op) throws CommandException {
        if (a.length != n) {
            throw arityError(op);
        }
    }

    private static CommandException arityError(Op op) {
        return CommandException.arity("ERR wrong number of arguments for '"
                + op.wireName().toLowerCase(Locale.ROOT) + "' command");
    }

    /**
     * A signed 64-bit decimal, exactly as Redis accepts it: no sign-only, no leading '+', no
     * spaces, no leading zero (so no {@code -0} either).
     */
    public static long integer(byte[] b) throws CommandException {
        int n = b.length;
        if (n == 0 || n > 20) {
            throw new CommandException(NOT_AN_INTEGER);
        }
        boolean negative = b[0] == '-';
        int i = negative ? 1 : 0;
        if (i == n || (b[i] == '0' && n > 1)) {
            throw new CommandException(NOT_AN_INTEGER);
        }
        long value = 0; // accumulate negatively: Long.MIN_VALUE has no positive twin
        for (; i < n; i++) {
            int d = b[i] - '0';
            if (d < 0 || d > 9 || value < (Long.MIN_VALUE + d) / 10) {
                throw new CommandException(NOT_AN_INTEGER);
            }
            value = value * 10 - d;
        }
        if (!negative) {
            if (value == Long.MIN_VALUE) {
                throw new CommandException(NOT_AN_INTEGER);
            }
            return -value;
        }
        return value;
    }

    private static long positive(long v) throws CommandException {
        if (v < 1) {
            throw new CommandException("ERR value must be positive");
        }
        return v;
    }

    private static long nonNegative(long v) throws CommandException {
        if (v < 0) {
            throw new CommandException("ERR value must not be negative");
        }
        return v;
    }

    public static String text(byte[] b) {
        return new String(b, StandardCharsets.ISO_8859_1);
    }
}
