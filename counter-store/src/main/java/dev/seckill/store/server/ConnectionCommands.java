package dev.seckill.store.server;

import dev.seckill.store.command.CommandException;
import dev.seckill.store.command.CommandParser;
import dev.seckill.store.protocol.Reply;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The commands about the connection and the server, answered on the I/O thread without the log:
 * PING, ECHO, HELLO, AUTH, SELECT, CLIENT, INFO, DBSIZE is a shard command, TIME, COMMAND,
 * CONFIG GET, QUIT, RESET.
 */
final class ConnectionCommands {
    private static final Reply WRONG_PASS =
            Reply.error("WRONGPASS invalid username-password pair or user is disabled.");

    private ConnectionCommands() {
    }

    static boolean allowedBeforeAuth(String name) {
        return name.equals("AUTH") || name.equals("HELLO") || name.equals("QUIT") || name.equals("RESET");
    }

    static void execute(StoreNode node, ClientConnection conn, String name, byte[][] a) {
        Reply reply = switch (name) {
            case "PING" -> a.length == 1 ? Reply.PONG : a.length == 2 ? new Reply.Bulk(a[1]) : arity(name);
            case "ECHO" -> a.length == 2 ? new Reply.Bulk(a[1]) : arity(name);
            case "HELLO" -> hello(node, conn, a);
            case "AUTH" -> auth(node, conn, a);
            case "SELECT" -> a.length != 2 ? arity(name)
                    : "0".equals(CommandParser.text(a[1])) ? Reply.OK : Reply.error("ERR DB index is out of range");
            case "CLIENT" -> client(conn, a);
            case "INFO" -> Reply.Bulk.of(InfoReport.render(node, a.length > 1 ? CommandParser.text(a[1]) : "default"));
            case "TIME" -> time();
            case "COMMAND" -> command(a);
            case "CONFIG" -> config(node, a);
            case "QUIT" -> {
                conn.answer(Reply.OK);
                conn.closeAfterReplies();
                yield null;
            }
            case "RESET" -> {
                conn.protocol = 2;
                conn.name = null;
                conn.authenticated = node.password() == null;
                yield new Reply.Status("RESET");
            }
            default -> {
                node.clients().rejectedInput();
                yield Reply.error("ERR unknown command '" + CommandParser.text(a[0]) + "'");
            }
        };
        if (reply != null) {
            conn.answer(reply);
        }
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
                Reply.bulk("version"), Reply.bulk(StoreNode.VERSION),
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

    private static Reply client(ClientConnection conn, byte[][] a) {
        if (a.length < 2) {
            return arity("CLIENT");
        }
        String sub = CommandParser.text(a[1]).toUpperCase(Locale.ROOT);
        return switch (sub) {
            case "SETNAME" -> {
                if (a.length != 3) {
                    yield arity("CLIENT|SETNAME");
                }
                conn.name = CommandParser.text(a[2]);
                yield Reply.OK;
            }
            case "GETNAME" -> conn.name == null ? Reply.NULL : Reply.bulk(conn.name);
            case "ID" -> Reply.integer(conn.id());
            case "SETINFO" -> {
                if (a.length != 4) {
                    yield arity("CLIENT|SETINFO");
                }
                String attr = CommandParser.text(a[2]).toUpperCase(Locale.ROOT);
                if (attr.equals("LIB-NAME")) {
                    conn.libName = CommandParser.text(a[3]);
                } else if (attr.equals("LIB-VER")) {
                    conn.libVersion = CommandParser.text(a[3]);
                } else {
                    yield Reply.error("ERR Unrecognized option '" + CommandParser.text(a[2]) + "'");
                }
                yield Reply.OK;
            }
            default -> Reply.error("ERR unknown subcommand '" + CommandParser.text(a[1]) + "'. Try CLIENT HELP.");
        };
    }

    private static Reply time() {
        long micros = System.currentTimeMillis() * 1000 + (System.nanoTime() / 1000) % 1000;
        return new Reply.Array(List.of(Reply.bulk(Long.toString(micros / 1_000_000)),
                Reply.bulk(Long.toString(micros % 1_000_000))));
    }

    private static Reply command(byte[][] a) {
        if (a.length >= 2 && "COUNT".equalsIgnoreCase(CommandParser.text(a[1]))) {
            return Reply.integer(dev.seckill.store.command.Op.values().length - 1 + 12);
        }
        if (a.length >= 2 && "DOCS".equalsIgnoreCase(CommandParser.text(a[1]))) {
            return new Reply.MapReply(List.of());
        }
        return Reply.EMPTY_ARRAY;
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
