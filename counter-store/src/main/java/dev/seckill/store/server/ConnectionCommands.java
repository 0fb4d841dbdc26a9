package dev.seckill.store.server;

import dev.seckill.store.command.CommandException;
import dev.seckill.store.command.CommandParser;
import dev.seckill.store.protocol.Reply;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The commands about the connection and the server, answered on the I/O thread without the log:
 * PING, ECHO, HELLO, AUTH, SELECT, CLIENT, INFO, TIME, COMMAND, CONFIG GET, QUIT, RESET (and
 * UNWATCH; the rest of MULTI and WATCH is {@link Transaction}). Unknown commands and subcommands
 * and wrong numbers of arguments were refused before, as Redis does, from {@link CommandTable}.
 */
final class ConnectionCommands {
    private static final Reply WRONG_PASS =
            Reply.error("WRONGPASS invalid username-password pair or user is disabled.");
    private static final Reply RESET = new Reply.Status("RESET");
    /** The highest time TIME answered, in microseconds: TIME never goes back, even when the wall clock does. */
    private static final AtomicLong LAST_TIME_MICROS = new AtomicLong();

    private ConnectionCommands() {
    }

    static boolean allowedBeforeAuth(String name) {
        return name.equals("AUTH") || name.equals("HELLO") || name.equals("QUIT") || name.equals("RESET");
    }

    static void execute(StoreNode node, ClientConnection conn, String name, byte[][] a) {
        if (name.equals("QUIT")) {
            conn.answer(Reply.OK);
            conn.closeAfterReplies();
            return;
        }
        conn.answer(run(node, conn, name, a));
    }

    /** Runs a connection command (QUIT excepted) and returns its answer; also inside EXEC. */
    static Reply run(StoreNode node, ClientConnection conn, String name, byte[][] a) {
        return switch (name) {
            case "PING" -> a.length == 1 ? Reply.PONG : a.length == 2 ? new Reply.Bulk(a[1]) : arity("PING");
            case "ECHO" -> new Reply.Bulk(a[1]);
            case "HELLO" -> hello(node, conn, a);
            case "AUTH" -> auth(node, conn, a);
            case "SELECT" -> select(a[1]);
            case "CLIENT" -> client(conn, a);
            case "INFO" -> Reply.Verbatim.of(InfoReport.render(node, sections(a)));
            case "TIME" -> time();
            case "COMMAND" -> command(a);
            case "CONFIG" -> CommandParser.text(a[1]).equalsIgnoreCase("HELP") ? help(CONFIG_HELP) : config(node, a);
            case "UNWATCH" -> {
                if (conn.transaction != null) {
                    conn.transaction.unwatch();
                }
                yield Reply.OK;
            }
            case "RESET" -> {
                if (conn.transaction != null) {
                    conn.transaction.reset();
                }
                conn.protocol = 2;
                conn.name = null;
                conn.authenticated = node.password() == null;
                yield RESET;
            }
            default -> {
                node.clients().rejectedInput();
                yield Reply.error(CommandParser.unknownCommand(a));
            }
        };
    }

    /** SELECT n: as Redis with one database (n must be an int; any but 0 is out of range). */
    private static Reply select(byte[] index) {
        long n;
        try {
            n = CommandParser.integer(index);
        } catch (CommandException e) {
            return Reply.error(e.getMessage());
        }
        if (n < Integer.MIN_VALUE || n > Integer.MAX_VALUE) {
            return Reply.error("ERR value is out of range, value must between -2147483648 and 2147483647");
        }
        return n == 0 ? Reply.OK : Reply.error("ERR DB index is out of range");
    }

    /** INFO [section ...]: the sections asked, lower case; none means "default". */
    private static List<String> sections(byte[][] a) {
        if (a.length == 1) {
            return List.of("default");
        }
        List<String> out = new ArrayList<>(a.length - 1);
        for (int i = 1; i < a.length; i++) {
            out.add(CommandParser.text(a[i]).toLowerCase(Locale.ROOT));
        }
        return out;
    }

    private static Reply arity(String name) {
        return Reply.error("ERR wrong number of arguments for '" + name.toLowerCase(Locale.ROOT) + "' command");
    }

    /** HELLO [protover [AUTH username password] [SETNAME clientname]] */
    private static Reply hello(StoreNode node, ClientConnection conn, byte[][] a) {
        int protocol = conn.protocol;
        if (a.length > 1) {
            try {
                long v = CommandParser.integer(a[1]);
                if (v != 2 && v != 3) {
                    return Reply.error("NOPROTO unsupported protocol version");
                }
                protocol = (int) v;
            } catch (CommandException e) {
                return Reply.error("ERR Protocol version is not an integer or out of range");
            }
        }
        String setName = null;
        for (int i = 2; i < a.length; i++) {
            String opt = CommandParser.text(a[i]).toUpperCase(Locale.ROOT);
            if (opt.equals("AUTH") && i + 2 < a.length) {
                // as AUTH user password: there is no user but "default"
                if (!"default".equals(CommandParser.text(a[i + 1])) || !passwordMatches(node, a[i + 2])) {
                    return WRONG_PASS;
                }
                conn.authenticated = true;
                i += 2;
            } else if (opt.equals("SETNAME") && i + 1 < a.length) {
                setName = CommandParser.text(a[++i]);
            } else {
                return Reply.error("ERR Syntax error in HELLO option '" + CommandParser.text(a[i]) + "'");
            }
        }
        if (!conn.authenticated) {
            return Reply.error("NOAUTH HELLO must be called with the client already authenticated, "
                    + "otherwise the HELLO <proto> AUTH <user> <pass> option can be used to authenticate the client and "
                    + "select the RESP protocol version at the same time");
        }
        conn.protocol = protocol;
        if (setName != null) {
            conn.name = setName;
        }
        return new Reply.MapReply(List.of(
                Reply.bulk("server"), Reply.bulk("counter-store"),
                Reply.bulk("version"), Reply.bulk(StoreNode.REDIS_VERSION),
                Reply.bulk("proto"), Reply.integer(protocol),
                Reply.bulk("id"), Reply.integer(conn.id()),
                Reply.bulk("mode"), Reply.bulk("standalone"),
                Reply.bulk("role"), Reply.bulk(node.group().isLeader() ? "master" : "replica"),
                Reply.bulk("modules"), Reply.EMPTY_ARRAY));
    }

    /** AUTH password, or AUTH default password. */
    private static Reply auth(StoreNode node, ClientConnection conn, byte[][] a) {
        if (a.length != 2 && a.length != 3) {
            return arity("AUTH");
        }
        if (node.password() == null) {
            return Reply.error("ERR AUTH <password> called without any password configured for the default user. "
                    + "Are you sure your configuration is correct?");
        }
        if (a.length == 3 && !"default".equals(CommandParser.text(a[1]))) {
            return WRONG_PASS;
        }
        if (!passwordMatches(node, a[a.length - 1])) {
            return WRONG_PASS;
        }
        conn.authenticated = true;
        return Reply.OK;
    }

    private static boolean passwordMatches(StoreNode node, byte[] given) {
        String expected = node.password();
        return expected != null
                && MessageDigest.isEqual(expected.getBytes(StandardCharsets.UTF_8), given); // constant time
    }

    /** CLIENT ID, GETNAME, SETNAME, SETINFO, HELP (the table refused other subcommands and wrong arities). */
    private static Reply client(ClientConnection conn, byte[][] a) {
        String sub = CommandParser.text(a[1]).toUpperCase(Locale.ROOT);
        return switch (sub) {
            case "SETNAME" -> {
                if (a[2].length == 0) {
                    conn.name = null; // as Redis: an empty name removes the name
                    yield Reply.OK;
                }
                if (!printable(a[2])) {
                    yield Reply.error("ERR Client names cannot contain spaces, newlines or special characters.");
                }
                conn.name = CommandParser.text(a[2]);
                yield Reply.OK;
            }
            case "GETNAME" -> conn.name == null ? Reply.NULL : Reply.bulk(conn.name);
            case "ID" -> Reply.integer(conn.id());
            case "SETINFO" -> {
                String attr = CommandParser.text(a[2]).toUpperCase(Locale.ROOT);
                if (!attr.equals("LIB-NAME") && !attr.equals("LIB-VER")) {
                    yield Reply.error("ERR Unrecognized option '" + CommandParser.text(a[2]) + "'");
                }
                if (!printable(a[3])) {
                    yield Reply.error("ERR " + attr.toLowerCase(Locale.ROOT)
                            + " cannot contain spaces, newlines or special characters.");
                }
                if (attr.equals("LIB-NAME")) {
                    conn.libName = CommandParser.text(a[3]);
                } else {
                    conn.libVersion = CommandParser.text(a[3]);
                }
                yield Reply.OK;
            }
            default -> help(CLIENT_HELP);
        };
    }

    /** Redis's rule for names: printable ASCII, no space. */
    private static boolean printable(byte[] b) {
        for (byte c : b) {
            if (c < '!' || c > '~') {
                return false;
            }
        }
        return true;
    }

    /** TIME: the wall clock to the microsecond, never going back (if the clock steps back, TIME holds still). */
    static Reply time() {
        Instant now = Instant.now();
        long micros = LAST_TIME_MICROS.accumulateAndGet(now.getEpochSecond() * 1_000_000 + now.getNano() / 1_000,
                Math::max);
        return new Reply.Array(List.of(Reply.bulk(Long.toString(micros / 1_000_000)),
                Reply.bulk(Long.toString(micros % 1_000_000))));
    }

    /** COMMAND [COUNT | LIST | INFO [name...] | DOCS [name...] | HELP]. */
    private static Reply command(byte[][] a) {
        if (a.length == 1) {
            return CommandTable.infoOfAll();
        }
        return switch (CommandParser.text(a[1]).toUpperCase(Locale.ROOT)) {
            case "COUNT" -> Reply.integer(CommandTable.count());
            case "LIST" -> CommandTable.names(a);
            case "INFO" -> a.length == 2 ? CommandTable.infoOfAll() : CommandTable.infoOf(a, 2);
            case "DOCS" -> CommandTable.docsOf(a, 2);
            default -> help(COMMAND_HELP);
        };
    }

    private static final String[] CLIENT_HELP = {
        "CLIENT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "GETNAME", "    Return the name of the current connection.",
        "ID", "    Return the ID of the current connection.",
        "SETINFO <LIB-NAME|LIB-VER> <value>", "    Set the client library's name or version.",
        "SETNAME <name>", "    Assign the name <name> to the current connection.",
        "HELP", "    Prints this help."};
    private static final String[] COMMAND_HELP = {
        "COMMAND <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "(no subcommand)", "    Return details about all commands of this store.",
        "COUNT", "    Return the total number of commands of this store.",
        "LIST", "    Return a list of all commands of this store.",
        "INFO [<command-name> ...]", "    Return details about multiple commands.",
        "    If no command names are given, details for all commands are returned.",
        "DOCS [<command-name> ...]", "    Return documentation details about multiple commands.",
        "    If no command names are given, documentation details for all commands are returned.",
        "HELP", "    Prints this help."};
    private static final String[] CONFIG_HELP = {
        "CONFIG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "GET <pattern>", "    Return parameters matching the glob-like <pattern> and their values.",
        "HELP", "    Prints this help."};

    private static Reply help(String[] lines) {
        List<Reply> out = new ArrayList<>(lines.length);
        for (String line : lines) {
            out.add(new Reply.Status(line));
        }
        return new Reply.Array(out);
    }

    /** CONFIG GET pattern: the few settings clients and redis-benchmark ask about. */
    private static Reply config(StoreNode node, byte[][] a) {
        if (a.length < 3 || !"GET".equalsIgnoreCase(CommandParser.text(a[1]))) {
            return Reply.error("ERR only CONFIG GET is supported");
        }
        List<Reply> out = new ArrayList<>();
        for (int i = 2; i < a.length; i++) {
            String pattern = CommandParser.text(a[i]).toLowerCase(Locale.ROOT);
            node.config().forEach((k, v) -> {
                if (glob(pattern, k)) {
                    out.add(Reply.bulk(k));
                    out.add(Reply.bulk(v));
                }
            });
        }
        return new Reply.MapReply(out);
    }

    static boolean glob(String pattern, String text) {
        StringBuilder regex = new StringBuilder();
        for (char c : pattern.toCharArray()) {
            regex.append(c == '*' ? ".*" : c == '?' ? "." : java.util.regex.Pattern.quote(String.valueOf(c)));
        }
        return text.matches(regex.toString());
    }
}
