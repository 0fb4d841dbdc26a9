package dev.seckill.store.server;

import dev.seckill.store.command.CommandParser;
import dev.seckill.store.protocol.Reply;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Every command the store answers, as Redis 7's command table describes its own: the arity the
 * server checks before anything runs (with Redis's error texts), and what {@code COMMAND},
 * {@code COMMAND INFO}, {@code COMMAND DOCS}, {@code COMMAND COUNT} and {@code COMMAND LIST}
 * answer. The Redis commands carry Redis 7.0's flags, ACL categories, tips and key specs, so
 * client libraries that read them (cluster-aware clients, redis-cli's hints) see what they know;
 * the container commands list only the subcommands this store has.
 */
final class CommandTable {

    /** One command, or one subcommand ({@code name} is then {@code container|sub}). */
    record Spec(String name, int arity, List<String> flags, int firstKey, int lastKey, int keyStep,
                List<String> acl, List<String> tips, List<KeySpec> keySpecs, Docs docs, List<Spec> subcommands) {

        boolean container() {
            return !subcommands.isEmpty();
        }

        Spec subcommand(String sub) {
            String full = name + "|" + sub.toLowerCase(Locale.ROOT);
            for (Spec s : subcommands) {
                if (s.name.equals(full)) {
                    return s;
                }
            }
            return null;
        }

        boolean arityFits(int argc) {
            return arity > 0 ? argc == arity : argc >= -arity;
        }
    }

    /** Where a command's keys are: from argument {@code index} to {@code lastKey} (negative: from the end). */
    record KeySpec(String notes, List<String> flags, int index, int lastKey, int keyStep, int limit) {}

    record Docs(String summary, String since, String group, String complexity, List<Arg> arguments) {}

    record Arg(String name, String type, int keySpecIndex, String token, List<String> flags, List<Arg> arguments) {
        Arg optional() {
            return withFlag("optional");
        }

        Arg multiple() {
            return withFlag("multiple");
        }

        private Arg withFlag(String flag) {
            List<String> f = new ArrayList<>(flags);
            f.add(flag);
            return new Arg(name, type, keySpecIndex, token, List.copyOf(f), arguments);
        }
    }

    private static final Map<String, Spec> COMMANDS = new LinkedHashMap<>();
    /** The same by the upper-case name the server already has in hand: no String made per command. */
    private static final Map<String, Spec> BY_UPPER_NAME = new java.util.HashMap<>();

    static {
        // ---- connection and server ----
        add(cmd("ping", -1, "fast", 0, 0, 0, "@fast @connection",
                "request_policy:all_shards response_policy:all_succeeded", List.of(),
                docs("Returns the server's liveliness response.", "1.0.0", "connection", "O(1)",
                        arg("message", "string").optional())));
        add(cmd("echo", 2, "loading stale fast", 0, 0, 0, "@fast @connection", "", List.of(),
                docs("Returns the given string.", "1.0.0", "connection", "O(1)", arg("message", "string"))));
        add(cmd("hello", -1, "noscript loading stale fast no_auth allow_busy", 0, 0, 0, "@fast @connection", "",
                List.of(), docs("Handshakes with the server: protocol version, authentication, client name.",
                        "6.0.0", "connection", "O(1)", arg("protover", "integer").optional())));
        add(cmd("auth", -2, "noscript loading stale fast no_auth allow_busy", 0, 0, 0, "@fast @connection", "",
                List.of(), docs("Authenticates the connection.", "1.0.0", "connection",
                        "O(N) where N is the number of passwords defined for the user",
                        arg("username", "string").optional(), arg("password", "string"))));
        add(cmd("select", 2, "loading stale fast", 0, 0, 0, "@fast @connection", "", List.of(),
                docs("Changes the selected database; this store has database 0 only.", "1.0.0", "connection",
                        "O(1)", arg("index", "integer"))));
        add(container("client", -2, "@slow", "",
                docs("A container for client connection commands.", "2.4.0", "connection",
                        "Depends on subcommand."),
                cmd("client|id", 2, "noscript loading stale", 0, 0, 0, "@slow @connection", "", List.of(),
                        docs("Returns the unique client ID of the connection.", "5.0.0", "connection", "O(1)")),
                cmd("client|getname", 2, "noscript loading stale", 0, 0, 0, "@slow @connection", "", List.of(),
                        docs("Returns the name of the connection.", "2.6.9", "connection", "O(1)")),
                cmd("client|setname", 3, "noscript loading stale", 0, 0, 0, "@slow @connection", "", List.of(),
                        docs("Sets the connection name.", "2.6.9", "connection", "O(1)",
                                arg("connection-name", "string"))),
                cmd("client|setinfo", 4, "noscript loading stale", 0, 0, 0, "@slow @connection", "",
                        List.of(), docs("Sets information specific to the client (LIB-NAME, LIB-VER).",
                                "7.2.0", "connection", "O(1)",
                                oneof("attr", tokenArg("LIB-NAME", "libname", "string"),
                                        tokenArg("LIB-VER", "libver", "string")))),
                cmd("client|help", 2, "loading stale", 0, 0, 0, "@slow @connection", "", List.of(),
                        docs("Returns helpful text about the different subcommands.", "5.0.0", "connection",
                                "O(1)"))));
        add(cmd("info", -1, "loading stale", 0, 0, 0, "@slow @dangerous",
                "nondeterministic_output request_policy:all_shards response_policy:special", List.of(),
                docs("Returns information and statistics about the server.", "1.0.0", "server", "O(1)",
                        arg("section", "string").optional().multiple())));
        add(cmd("time", 1, "loading stale fast", 0, 0, 0, "@fast", "nondeterministic_output", List.of(),
                docs("Returns the server time, never going back.", "2.6.0", "server", "O(1)")));
        add(container("command", -1, "@slow @connection", "nondeterministic_output_order",
                docs("Returns detailed information about all commands.", "2.8.13", "server",
                        "O(N) where N is the total number of Redis commands"),
                cmd("command|count", 2, "loading stale", 0, 0, 0, "@slow @connection", "", List.of(),
                        docs("Returns a count of commands.", "2.8.13", "server", "O(1)")),
                cmd("command|list", -2, "loading stale", 0, 0, 0, "@slow @connection",
                        "nondeterministic_output_order", List.of(),
                        docs("Returns a list of command names.", "7.0.0", "server",
                                "O(N) where N is the total number of Redis commands")),
                cmd("command|docs", -2, "loading stale", 0, 0, 0, "@slow @connection",
                        "nondeterministic_output_order", List.of(),
                        docs("Returns documentary information about one, multiple or all commands.", "7.0.0",
                                "server", "O(N) where N is the number of commands to look up",
                                arg("command-name", "string").optional().multiple())),
                cmd("command|info", -2, "loading stale", 0, 0, 0, "@slow @connection",
                        "nondeterministic_output_order", List.of(),
                        docs("Returns information about one, multiple or all commands.", "2.8.13", "server",
                                "O(N) where N is the number of commands to look up",
                                arg("command-name", "string").optional().multiple())),
                cmd("command|help", 2, "loading stale", 0, 0, 0, "@slow @connection", "", List.of(),
                        docs("Returns helpful text about the different subcommands.", "5.0.0", "server",
                                "O(1)"))));
        add(container("config", -2, "@slow", "",
                docs("A container for server configuration commands.", "2.0.0", "server",
                        "Depends on subcommand."),
                cmd("config|get", -3, "admin noscript loading stale", 0, 0, 0, "@admin @slow @dangerous", "",
                        List.of(), docs("Returns the effective values of configuration parameters.", "2.0.0",
                                "server", "O(N) when N is the number of configuration parameters provided",
                                arg("parameter", "string").multiple())),
                cmd("config|help", 2, "loading stale", 0, 0, 0, "@slow", "", List.of(),
                        docs("Returns helpful text about the different subcommands.", "5.0.0", "server",
                                "O(1)"))));
        add(cmd("quit", -1, "noscript loading stale fast no_auth allow_busy", 0, 0, 0, "@fast @connection", "",
                List.of(), docs("Closes the connection.", "1.0.0", "connection", "O(1)")));
        add(cmd("reset", 1, "noscript loading stale fast no_auth allow_busy", 0, 0, 0, "@fast @connection", "",
                List.of(), docs("Resets the connection.", "6.2.0", "connection", "O(1)")));

        // ---- transactions ----
        add(cmd("multi", 1, "noscript loading stale fast allow_busy", 0, 0, 0, "@fast @transaction", "",
                List.of(), docs("Starts a transaction.", "1.2.0", "transactions", "O(1)")));
        add(cmd("exec", 1, "noscript loading stale skip_slowlog", 0, 0, 0, "@slow @transaction", "", List.of(),
                docs("Executes all commands in a transaction, as one log entry.", "1.2.0", "transactions",
                        "Depends on commands in the transaction")));
        add(cmd("discard", 1, "noscript loading stale fast allow_busy", 0, 0, 0, "@fast @transaction", "",
                List.of(), docs("Discards a transaction.", "2.0.0", "transactions",
                        "O(N), when N is the number of queued commands")));
        add(cmd("watch", -2, "noscript loading stale fast allow_busy", 1, -1, 1, "@fast @transaction", "",
                List.of(keys("RO", -1)), docs("Monitors changes to keys (counters and SKUs) to determine the "
                        + "execution of a transaction.", "2.2.0", "transactions", "O(1) for every key.",
                        key("key", 0).multiple())));
        add(cmd("unwatch", 1, "noscript loading stale fast allow_busy", 0, 0, 0, "@fast @transaction", "",
                List.of(), docs("Forgets about watched keys of a transaction.", "2.2.0", "transactions",
                        "O(1)")));

        // ---- counters ----
        add(cmd("get", 2, "readonly fast", 1, 1, 1, "@read @string @fast", "", List.of(keys("RO access", 0)),
                docs("Returns the value of a counter.", "1.0.0", "string", "O(1)", key("key", 0))));
        add(cmd("set", -3, "write denyoom", 1, 1, 1, "@write @string @slow", "",
                List.of(new KeySpec("RW and ACCESS due to the optional `GET` argument",
                        words("RW access update variable_flags"), 1, 0, 1, 0)),
                docs("Sets a counter to a signed 64-bit integer.", "1.0.0", "string", "O(1)", key("key", 0),
                        arg("value", "integer"), oneof("condition", pureToken("nx", "NX"), pureToken("xx", "XX"))
                                .optional(), pureToken("get", "GET").optional(),
                        pureToken("keepttl", "KEEPTTL").optional())));
        add(cmd("incr", 2, "write denyoom fast", 1, 1, 1, "@write @string @fast", "",
                List.of(keys("RW access update", 0)),
                docs("Increments a counter by one.", "1.0.0", "string", "O(1)", key("key", 0))));
        add(cmd("decr", 2, "write denyoom fast", 1, 1, 1, "@write @string @fast", "",
                List.of(keys("RW access update", 0)),
                docs("Decrements a counter by one.", "1.0.0", "string", "O(1)", key("key", 0))));
        add(cmd("incrby", 3, "write denyoom fast", 1, 1, 1, "@write @string @fast", "",
                List.of(keys("RW access update", 0)),
                docs("Increments a counter by a number.", "1.0.0", "string", "O(1)", key("key", 0),
                        arg("increment", "integer"))));
        add(cmd("decrby", 3, "write denyoom fast", 1, 1, 1, "@write @string @fast", "",
                List.of(keys("RW access update", 0)),
                docs("Decrements a counter by a number.", "1.0.0", "string", "O(1)", key("key", 0),
                        arg("decrement", "integer"))));
        add(cmd("del", -2, "write", 1, -1, 1, "@keyspace @write @slow",
                "request_policy:multi_shard response_policy:agg_sum", List.of(keys("RM delete", -1)),
                docs("Deletes counters.", "1.0.0", "generic", "O(N) where N is the number of keys",
                        key("key", 0).multiple())));
        add(cmd("exists", -2, "readonly fast", 1, -1, 1, "@keyspace @read @fast",
                "request_policy:multi_shard response_policy:agg_sum", List.of(keys("RO", -1)),
                docs("Counts how many of the counters exist.", "1.0.0", "generic",
                        "O(N) where N is the number of keys", key("key", 0).multiple())));
        add(cmd("mget", -2, "readonly fast", 1, -1, 1, "@read @string @fast", "request_policy:multi_shard",
                List.of(keys("RO access", -1)),
                docs("Returns the values of counters.", "1.0.0", "string", "O(N) where N is the number of keys",
                        key("key", 0).multiple())));
        add(cmd("dbsize", 1, "readonly fast", 0, 0, 0, "@keyspace @read @fast",
                "request_policy:all_shards response_policy:agg_sum", List.of(),
                docs("Returns the number of counters (SKUs are not keys).", "1.0.0", "server", "O(1)")));

        // ---- inventory ----
        Arg sku = key("sku", 0);
        Arg reqId = arg("request-id", "string");
        Arg user = tokenArg("USER", "user", "string").optional();
        Arg limit = tokenArg("LIMIT", "limit", "integer").optional();
        Arg ttl = tokenArg("TTL", "ttl-ms", "integer").optional();
        Arg detail = pureToken("detail", "DETAIL").optional();
        add(inventory("inv.create", 3, "write denyoom", 1, keys("OW insert", 0),
                docs("Creates a SKU with its total stock.", "0.1.0", "inventory", "O(1)", sku,
                        arg("total", "integer"))));
        add(inventory("inv.restock", -3, "write denyoom", 1, keys("RW update", 0),
                docs("Adds to (or takes from) a SKU's stock; retry-safe with a request id.", "0.1.0", "inventory",
                        "O(1)", sku, arg("delta", "integer"), reqId.optional())));
        add(inventory("inv.get", 2, "readonly fast", 1, keys("RO access", 0),
                docs("Returns a SKU's total, available, reserved and sold.", "0.1.0", "inventory", "O(1)",
                        sku)));
        add(inventory("inv.reserve", -4, "write denyoom fast", 1, keys("RW update", 0),
                docs("Reserves units of a SKU once per request id.", "0.1.0", "inventory", "O(1)", sku,
                        arg("qty", "integer"), reqId, user, limit, ttl, detail)));
        add(inventory("inv.reserveall", -5, "write denyoom", 0, null,
                docs("Reserves units of several SKUs, all or none, once per request id.", "0.1.0", "inventory",
                        "O(N) where N is the number of SKUs", reqId, user, limit, ttl,
                        block("items", pureToken("items", "ITEMS"),
                                block("item", arg("sku", "string"), arg("qty", "integer")).multiple()))));
        add(inventory("inv.deduct", -4, "write denyoom fast", 1, keys("RW update", 0),
                docs("Sells units of a SKU straight away, once per request id.", "0.1.0", "inventory", "O(1)",
                        sku, arg("qty", "integer"), reqId, user, limit, detail)));
        add(inventory("inv.confirm", 2, "write fast", 0, null,
                docs("Confirms a reservation.", "0.1.0", "inventory", "O(1)", reqId)));
        add(inventory("inv.cancel", 2, "write fast", 0, null,
                docs("Cancels a reservation and returns its units.", "0.1.0", "inventory", "O(1)", reqId)));
        add(inventory("inv.reservation", 2, "readonly fast", 0, null,
                docs("Returns a reservation.", "0.1.0", "inventory", "O(1)", reqId)));
        add(inventory("inv.scan", -2, "readonly", 0, null,
                docs("Iterates over the SKUs.", "0.1.0", "inventory", "O(COUNT)", arg("cursor", "integer"),
                        tokenArg("COUNT", "count", "integer").optional())));
        add(inventory("inv.changes", 3, "readonly", 0, null,
                docs("Returns the change feed after a sequence number.", "0.1.0", "inventory", "O(count)",
                        arg("after-seq", "integer"), arg("count", "integer"))));
        add(inventory("inv.ack", 2, "write", 0, null,
                docs("Acknowledges the change feed up to a sequence number.", "0.1.0", "inventory",
                        "O(rows acknowledged)", arg("seq", "integer"))));
    }

    private CommandTable() {
    }

    /** The command named {@code name} (any case), or null. */
    static Spec lookup(String name) {
        return COMMANDS.get(name.toLowerCase(Locale.ROOT));
    }

    static int count() {
        return COMMANDS.size();
    }

    /**
     * Why Redis would refuse {@code args} before running anything (an unknown command or
     * subcommand, a wrong number of arguments), in Redis's words without the error code; or null.
     *
     * @param name {@code args[0]} in upper case
     */
    static String refusal(String name, byte[][] args) {
        Spec spec = BY_UPPER_NAME.get(name);
        if (spec == null) {
            return CommandParser.unknownCommand(args).substring("ERR ".length());
        }
        if (spec.container() && args.length >= 2) {
            Spec sub = spec.subcommand(CommandParser.text(args[1]));
            if (sub == null) {
                return "unknown subcommand '" + CommandParser.cString(args[1], 128) + "'. Try "
                        + spec.name().toUpperCase(Locale.ROOT) + " HELP.";
            }
            spec = sub;
        }
        if (!spec.arityFits(args.length)) {
            return "wrong number of arguments for '" + spec.name() + "' command";
        }
        return null;
    }

    // ---- COMMAND's answers ----

    /** {@code COMMAND} and {@code COMMAND INFO} with no names: every command. */
    static Reply infoOfAll() {
        List<Reply> all = new ArrayList<>(COMMANDS.size());
        COMMANDS.values().forEach(s -> all.add(info(s)));
        return new Reply.Array(all);
    }

    /** {@code COMMAND INFO name...}: nil for a name it does not know. */
    static Reply infoOf(byte[][] args, int from) {
        List<Reply> out = new ArrayList<>();
        for (int i = from; i < args.length; i++) {
            Spec s = find(CommandParser.text(args[i]));
            out.add(s == null ? Reply.NULL : info(s));
        }
        return new Reply.Array(out);
    }

    /** {@code COMMAND DOCS [name...]}: a map of name to docs, names it does not know left out. */
    static Reply docsOf(byte[][] args, int from) {
        List<Reply> out = new ArrayList<>();
        if (args.length <= from) {
            COMMANDS.values().forEach(s -> {
                out.add(Reply.bulk(s.name()));
                out.add(docs(s));
            });
        } else {
            for (int i = from; i < args.length; i++) {
                Spec s = find(CommandParser.text(args[i]));
                if (s != null) {
                    out.add(Reply.bulk(s.name()));
                    out.add(docs(s));
                }
            }
        }
        return new Reply.MapReply(out);
    }

    /**
     * {@code COMMAND LIST [FILTERBY MODULE name | ACLCAT category | PATTERN glob]}: the names of
     * the commands and subcommands (no module here: MODULE lists nothing).
     */
    static Reply names(byte[][] args) {
        String type = null;
        String filter = null;
        if (args.length != 2) {
            if (args.length != 5 || !CommandParser.text(args[2]).equalsIgnoreCase("FILTERBY")) {
                return Reply.error("ERR syntax error");
            }
            type = CommandParser.text(args[3]).toLowerCase(Locale.ROOT);
            filter = CommandParser.text(args[4]).toLowerCase(Locale.ROOT);
            if (!type.equals("module") && !type.equals("aclcat") && !type.equals("pattern")) {
                return Reply.error("ERR syntax error");
            }
        }
        List<Reply> out = new ArrayList<>();
        for (Spec s : COMMANDS.values()) {
            listed(s, type, filter, out);
            for (Spec sub : s.subcommands()) {
                listed(sub, type, filter, out);
            }
        }
        return new Reply.Array(out);
    }

    private static void listed(Spec s, String type, String filter, List<Reply> out) {
        boolean shown = type == null
                || (type.equals("aclcat") && s.acl().contains("@" + filter))
                || (type.equals("pattern") && ConnectionCommands.glob(filter, s.name()));
        if (shown) {
            out.add(Reply.bulk(s.name()));
        }
    }

    /** A command by its name, or a subcommand by {@code container|sub}. */
    private static Spec find(String name) {
        int bar = name.indexOf('|');
        if (bar < 0) {
            return lookup(name);
        }
        Spec container = lookup(name.substring(0, bar));
        return container == null ? null : container.subcommand(name.substring(bar + 1));
    }

    private static Reply info(Spec s) {
        List<Reply> keySpecs = new ArrayList<>();
        for (KeySpec k : s.keySpecs()) {
            List<Reply> m = new ArrayList<>();
            if (k.notes() != null) {
                m.add(Reply.bulk("notes"));
                m.add(Reply.bulk(k.notes()));
            }
            m.add(Reply.bulk("flags"));
            m.add(statusSet(k.flags()));
            m.add(Reply.bulk("begin_search"));
            m.add(map("type", Reply.bulk("index"), "spec", map("index", Reply.integer(k.index()))));
            m.add(Reply.bulk("find_keys"));
            m.add(map("type", Reply.bulk("range"), "spec", map("lastkey", Reply.integer(k.lastKey()),
                    "keystep", Reply.integer(k.keyStep()), "limit", Reply.integer(k.limit()))));
            keySpecs.add(new Reply.MapReply(m));
        }
        List<Reply> tips = new ArrayList<>();
        s.tips().forEach(t -> tips.add(Reply.bulk(t)));
        Reply subcommands;
        if (s.container()) {
            List<Reply> subs = new ArrayList<>();
            s.subcommands().forEach(sub -> subs.add(info(sub)));
            subcommands = new Reply.Array(subs);
        } else {
            subcommands = new Reply.SetReply(List.of());
        }
        return new Reply.Array(List.of(Reply.bulk(s.name()), Reply.integer(s.arity()), statusSet(s.flags()),
                Reply.integer(s.firstKey()), Reply.integer(s.lastKey()), Reply.integer(s.keyStep()),
                statusSet(s.acl()), new Reply.SetReply(tips), new Reply.SetReply(keySpecs), subcommands));
    }

    private static Reply docs(Spec s) {
        Docs d = s.docs();
        List<Reply> m = new ArrayList<>(List.of(Reply.bulk("summary"), Reply.bulk(d.summary()),
                Reply.bulk("since"), Reply.bulk(d.since()), Reply.bulk("group"), Reply.bulk(d.group()),
                Reply.bulk("complexity"), Reply.bulk(d.complexity())));
        if (!d.arguments().isEmpty()) {
            m.add(Reply.bulk("arguments"));
            m.add(arguments(d.arguments()));
        }
        if (s.container()) {
            List<Reply> subs = new ArrayList<>();
            for (Spec sub : s.subcommands()) {
                subs.add(Reply.bulk(sub.name()));
                subs.add(docs(sub));
            }
            m.add(Reply.bulk("subcommands"));
            m.add(new Reply.MapReply(subs));
        }
        return new Reply.MapReply(m);
    }

    private static Reply arguments(List<Arg> args) {
        List<Reply> out = new ArrayList<>();
        for (Arg a : args) {
            List<Reply> m = new ArrayList<>(List.of(Reply.bulk("name"), Reply.bulk(a.name()),
                    Reply.bulk("type"), Reply.bulk(a.type())));
            if (a.keySpecIndex() >= 0) {
                m.add(Reply.bulk("key_spec_index"));
                m.add(Reply.integer(a.keySpecIndex()));
            }
            if (a.token() != null) {
                m.add(Reply.bulk("token"));
                m.add(Reply.bulk(a.token()));
            }
            if (!a.flags().isEmpty()) {
                m.add(Reply.bulk("flags"));
                m.add(statusSet(a.flags()));
            }
            if (!a.arguments().isEmpty()) {
                m.add(Reply.bulk("arguments"));
                m.add(arguments(a.arguments()));
            }
            out.add(new Reply.MapReply(m));
        }
        return new Reply.Array(out);
    }

    private static Reply statusSet(List<String> words) {
        List<Reply> out = new ArrayList<>(words.size());
        words.forEach(w -> out.add(new Reply.Status(w)));
        return new Reply.SetReply(out);
    }

    private static Reply map(Object... keysAndValues) {
        List<Reply> m = new ArrayList<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            m.add(Reply.bulk((String) keysAndValues[i]));
            m.add((Reply) keysAndValues[i + 1]);
        }
        return new Reply.MapReply(m);
    }

    // ---- the table's vocabulary ----

    private static void add(Spec s) {
        COMMANDS.put(s.name(), s);
        BY_UPPER_NAME.put(s.name().toUpperCase(Locale.ROOT), s);
    }

    private static Spec cmd(String name, int arity, String flags, int first, int last, int step, String acl,
                            String tips, List<KeySpec> keySpecs, Docs docs) {
        return new Spec(name, arity, words(flags), first, last, step, words(acl), words(tips), keySpecs, docs,
                List.of());
    }

    private static Spec container(String name, int arity, String acl, String tips, Docs docs, Spec... subs) {
        return new Spec(name, arity, List.of(), 0, 0, 0, words(acl), words(tips), List.of(), docs,
                List.of(subs));
    }

    /** An inventory command; {@code keySpec} null when its keys are not at fixed places. */
    private static Spec inventory(String name, int arity, String flags, int firstKey, KeySpec keySpec, Docs docs) {
        boolean write = flags.contains("write");
        return cmd(name, arity, flags, firstKey, firstKey, firstKey == 0 ? 0 : 1,
                write ? "@write @inventory" : "@read @inventory", "",
                keySpec == null ? List.of() : List.of(keySpec), docs);
    }

    /** Keys from argument 1 to {@code lastKey} (0: just that one, -1: all the rest). */
    private static KeySpec keys(String flags, int lastKey) {
        return new KeySpec(null, words(flags), 1, lastKey, 1, 0);
    }

    private static Docs docs(String summary, String since, String group, String complexity, Arg... args) {
        return new Docs(summary, since, group, complexity, List.of(args));
    }

    private static Arg arg(String name, String type) {
        return new Arg(name, type, -1, null, List.of(), List.of());
    }

    private static Arg key(String name, int keySpecIndex) {
        return new Arg(name, "key", keySpecIndex, null, List.of(), List.of());
    }

    private static Arg tokenArg(String token, String name, String type) {
        return new Arg(name, type, -1, token, List.of(), List.of());
    }

    private static Arg pureToken(String name, String token) {
        return new Arg(name, "pure-token", -1, token, List.of(), List.of());
    }

    private static Arg oneof(String name, Arg... args) {
        return new Arg(name, "oneof", -1, null, List.of(), List.of(args));
    }

    private static Arg block(String name, Arg... args) {
        return new Arg(name, "block", -1, null, List.of(), List.of(args));
    }

    private static List<String> words(String s) {
        return s.isBlank() ? List.of() : Arrays.asList(s.trim().split(" +"));
    }
}
