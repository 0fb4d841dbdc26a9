package dev.seckill.store.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The same command sequences, pipelined in one write as clients send them, to this store and to a
 * real Redis 7 (127.0.0.1:6379, or {@code -Dredis.oracle=host:port}); the answers must be the same
 * bytes, error texts included, in RESP2 and in RESP3. The sequences are in
 * {@code redis-differential.txt}.
 *
 * <p>Where an answer is the server's own (a client id, the clock, the port, INFO's figures, the
 * HELLO map's server, version and id, what COMMAND lists), the two are compared for their shape
 * only. Where this store answers differently on purpose, the README's table "Where we differ from
 * Redis" says so, and this test checks each of its rows against both servers: a difference that
 * is in neither place fails the test.
 *
 * <p>The Redis is shared: every key gets a prefix of this run, every key used is deleted again,
 * and only the commands this store claims (and made-up names) are sent to it.
 */
@Timeout(300)
class RedisDifferentialTest {
    private static final String ORACLE = System.getProperty("redis.oracle", "127.0.0.1:6379");
    private static final String PREFIX = "cs-diff:" + Long.toHexString(new SecureRandom().nextLong()) + ":";
    private static final Pattern KEY = Pattern.compile("\\{([^{}]*)}");
    private static final int READ_TIMEOUT_MS = 10_000;

    @TempDir
    static Path dataDir;
    static TestStore store;

    @BeforeAll
    static void start() throws Exception {
        try (Socket s = oracleSocket()) {
            s.getOutputStream().write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
            assertThat(WireReply.read(s.getInputStream()).text()).isEqualTo("PONG");
        } catch (IOException e) {
            fail("the differential test needs a real Redis 7 on " + ORACLE + " (-Dredis.oracle=host:port): " + e);
        }
        store = TestStore.start(dataDir);
    }

    @AfterAll
    static void stop() {
        if (store != null) {
            store.close();
        }
    }

    @TestFactory
    Stream<DynamicTest> everySequenceAnswersAsRedisDoes() throws IOException {
        List<Sequence> sequences = Sequence.parse(Files.readString(
                Path.of("src/test/resources/redis-differential.txt"), StandardCharsets.ISO_8859_1));
        assertThat(sequences).hasSizeGreaterThan(30);
        List<DynamicTest> tests = new ArrayList<>();
        for (int i = 0; i < sequences.size(); i++) {
            Sequence seq = sequences.get(i);
            for (int protocol : new int[] {2, 3}) {
                String keys = PREFIX + i + ":" + protocol + ":";
                tests.add(DynamicTest.dynamicTest(seq.name + " (RESP" + protocol + ")",
                        () -> compare(seq, protocol, keys)));
            }
        }
        return tests.stream();
    }

    /** Each row of the README's table: Redis answers its third column, this store its fourth. */
    @TestFactory
    Stream<DynamicTest> everyDocumentedDifferenceIsAsDocumented() throws IOException {
        List<Difference> rows = Difference.fromReadme(Files.readString(Path.of("README.md"), StandardCharsets.UTF_8));
        assertThat(rows).as("rows of the table 'Where we differ from Redis'").hasSizeGreaterThan(5);
        List<DynamicTest> tests = new ArrayList<>();
        for (int i = 0; i < rows.size(); i++) {
            Difference row = rows.get(i);
            String keys = PREFIX + "readme:" + i + ":";
            tests.add(DynamicTest.dynamicTest(row.commands.toString(), () -> checkRow(row, keys)));
        }
        return tests.stream();
    }

    // ---- one sequence ----

    private static void compare(Sequence seq, int protocol, String keyPrefix) throws IOException {
        List<String> lines = new ArrayList<>();
        if (protocol == 3) {
            lines.add("HELLO 3");
        }
        lines.addAll(seq.lines);
        Set<String> keys = new LinkedHashSet<>();
        List<Sent> sent = new ArrayList<>();
        for (String line : lines) {
            sent.add(Sent.of(line, keyPrefix, keys));
        }
        try {
            List<WireReply> redis = exchange(oracleSocket(), sent);
            List<WireReply> ours = exchange(new Socket("127.0.0.1", store.port()), sent);
            List<String> problems = new ArrayList<>();
            if (redis.size() != ours.size()) {
                problems.add("Redis answered " + redis.size() + " commands, this store " + ours.size());
            }
            Conversation theirs = new Conversation();
            Conversation mine = new Conversation();
            for (int i = 0; i < Math.min(redis.size(), ours.size()); i++) {
                String r = theirs.shown(sent.get(i), redis.get(i));
                String o = mine.shown(sent.get(i), ours.get(i));
                if (!r.equals(o)) {
                    problems.add(sent.get(i).shown() + "\n      Redis: " + r + "\n      store: " + o);
                }
            }
            long drift = Math.abs(theirs.timeMicros - mine.timeMicros);
            if (drift > 5_000_000) {
                problems.add("TIME differs by " + drift + " us");
            }
            if (!problems.isEmpty()) {
                fail("answers differ from Redis's:\n  " + String.join("\n  ", problems));
            }
        } finally {
            deleteFromRedis(keys);
        }
    }

    private static void checkRow(Difference row, String keyPrefix) throws IOException {
        Set<String> keys = new LinkedHashSet<>();
        List<Sent> sent = new ArrayList<>();
        for (String line : row.commands) {
            sent.add(Sent.of(line, keyPrefix, keys));
        }
        try {
            String redis = joined(exchange(oracleSocket(), sent));
            String ours = joined(exchange(new Socket("127.0.0.1", store.port()), sent));
            assertThat(redis).as("what Redis answers to %s", row.commands).isEqualTo(resolve(row.redis, keyPrefix));
            assertThat(ours).as("what this store answers to %s", row.commands).isEqualTo(resolve(row.ours, keyPrefix));
        } finally {
            deleteFromRedis(keys);
        }
    }

    private static String joined(List<WireReply> replies) {
        StringBuilder b = new StringBuilder();
        replies.forEach(r -> b.append(r.shown()));
        return b.toString();
    }

    private static String resolve(String text, String keyPrefix) {
        return KEY.matcher(text).replaceAll(m -> Matcher.quoteReplacement(key(m.group(1), keyPrefix)));
    }

    /** {name} is a key of this run; {!name} the fixed key cs-diff:name (for a row that needs that very key). */
    private static String key(String name, String keyPrefix) {
        return name.startsWith("!") ? "cs-diff:" + name.substring(1) : keyPrefix + name;
    }

    /** Sends every command in one write, then reads one answer each (none after a QUIT's). */
    private static List<WireReply> exchange(Socket socket, List<Sent> sent) throws IOException {
        try (socket) {
            socket.setSoTimeout(READ_TIMEOUT_MS);
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            sent.forEach(s -> all.writeBytes(s.bytes));
            socket.getOutputStream().write(all.toByteArray());
            socket.getOutputStream().flush();
            InputStream in = new BufferedInputStream(socket.getInputStream());
            List<WireReply> replies = new ArrayList<>();
            for (Sent s : sent) {
                WireReply reply;
                try {
                    reply = WireReply.read(in);
                } catch (EOFException | SocketException e) {
                    break;
                }
                replies.add(reply);
                if (s.name.equals("QUIT") && !reply.isError()) {
                    break;
                }
            }
            return replies;
        }
    }

    private static Socket oracleSocket() throws IOException {
        int colon = ORACLE.lastIndexOf(':');
        Socket s = new Socket(ORACLE.substring(0, colon), Integer.parseInt(ORACLE.substring(colon + 1)));
        s.setSoTimeout(READ_TIMEOUT_MS);
        return s;
    }

    /** Deletes from the shared Redis every key a sequence named (never anything else). */
    private static void deleteFromRedis(Set<String> keys) throws IOException {
        if (keys.isEmpty()) {
            return;
        }
        List<byte[]> words = new ArrayList<>();
        words.add("DEL".getBytes(StandardCharsets.US_ASCII));
        keys.forEach(k -> words.add(k.getBytes(StandardCharsets.ISO_8859_1)));
        try (Socket s = oracleSocket()) {
            s.getOutputStream().write(Sent.encode(words));
            WireReply reply = WireReply.read(s.getInputStream());
            assertThat(reply.type()).as("DEL on Redis answered %s", reply.shown()).isEqualTo(':');
        }
    }

    // ---- what is compared how ----

    /**
     * Follows one connection's answers: the answer to a command whose value is the server's own
     * is shown with that value left out, an EXEC's answer item by item as its queued commands'.
     */
    private static final class Conversation {
        private boolean inMulti;
        private final List<Sent> queued = new ArrayList<>();
        long timeMicros;

        String shown(Sent cmd, WireReply reply) {
            String name = cmd.name;
            if (name.equals("RESET") || name.equals("DISCARD")) {
                inMulti = false;
                queued.clear();
            }
            if (inMulti && !name.equals("EXEC") && !name.equals("MULTI") && !name.equals("WATCH")
                    && !name.equals("QUIT")) {
                if (reply.type() == '+' && reply.line().equals("QUEUED")) {
                    queued.add(cmd);
                }
                return reply.shown();
            }
            if (name.equals("MULTI") && reply.type() == '+') {
                inMulti = true;
                queued.clear();
                return reply.shown();
            }
            if (name.equals("EXEC")) {
                List<Sent> ran = List.copyOf(queued);
                inMulti = false;
                queued.clear();
                if (reply.type() == '*' && reply.items().size() == ran.size()) {
                    StringBuilder b = new StringBuilder("*" + ran.size() + "\\r\\n");
                    for (int i = 0; i < ran.size(); i++) {
                        b.append(answer(ran.get(i), reply.items().get(i)));
                    }
                    return b.toString();
                }
                return reply.shown();
            }
            return answer(cmd, reply);
        }

        /** One command's answer, its server-own values left out. */
        private String answer(Sent cmd, WireReply reply) {
            if (reply.isError()) {
                return reply.shown();
            }
            String sub = cmd.words.size() > 1 ? cmd.word(1).toUpperCase(Locale.ROOT) : "";
            switch (cmd.name) {
                case "TIME" -> {
                    assertThat(reply.items()).as("TIME's answer").hasSize(2);
                    long secs = Long.parseLong(reply.items().get(0).text());
                    long micros = Long.parseLong(reply.items().get(1).text());
                    assertThat(micros).isBetween(0L, 999_999L);
                    timeMicros = secs * 1_000_000 + micros;
                    return "<time>";
                }
                case "DBSIZE" -> {
                    return shape(reply, ':'); // the shared Redis holds everyone's keys
                }
                case "INFO" -> {
                    return shape(reply, reply.type()) + (reply.text().isEmpty() ? "(empty)" : "(text)");
                }
                case "HELLO" -> {
                    return pairs(reply, Set.of("server", "version", "id"));
                }
                case "CLIENT" -> {
                    if (sub.equals("ID")) {
                        return shape(reply, ':');
                    }
                    return sub.equals("HELP") ? shape(reply, '*') : reply.shown();
                }
                case "CONFIG" -> {
                    return sub.equals("GET") ? pairs(reply, null) : shape(reply, '*');
                }
                case "COMMAND" -> {
                    boolean listsAll = cmd.words.size() == 1 || sub.equals("DOCS") || sub.equals("COUNT")
                            || sub.equals("HELP") || (cmd.words.size() == 2 && (sub.equals("INFO") || sub.equals("LIST")));
                    return listsAll ? shape(reply, reply.type()) : reply.shown();
                }
                default -> {
                    return reply.shown();
                }
            }
        }

        private static String shape(WireReply reply, char type) {
            assertThat(reply.type()).as("type of %s", reply.shown()).isEqualTo(type);
            return "<" + type + ">";
        }

        /** A map (or RESP2's flat array) with the values of {@code varying} keys (null: all) left out. */
        private static String pairs(WireReply reply, Set<String> varying) {
            if (!reply.isAggregate()) {
                return reply.shown();
            }
            StringBuilder b = new StringBuilder(reply.type() + reply.line() + "\\r\\n");
            List<WireReply> items = reply.items();
            for (int i = 0; i + 1 < items.size(); i += 2) {
                b.append(items.get(i).shown());
                boolean varies = varying == null || varying.contains(items.get(i).text());
                b.append(varies ? "<value>" : items.get(i + 1).shown());
            }
            return b.toString();
        }
    }

    // ---- the sequences and the README's table ----

    /** One command as sent: its bytes, its name (upper case) and its words. */
    private record Sent(byte[] bytes, String name, List<byte[]> words) {
        static Sent of(String line, String keyPrefix, Set<String> keys) {
            if (line.startsWith("RAW ")) {
                byte[] raw = unescape(resolveKeys(line.substring(4), keyPrefix, keys));
                String text = new String(raw, StandardCharsets.ISO_8859_1).trim();
                List<byte[]> words = new ArrayList<>();
                for (String w : text.split(" +")) {
                    words.add(w.getBytes(StandardCharsets.ISO_8859_1));
                }
                return new Sent(raw, text.split(" ")[0].toUpperCase(Locale.ROOT), words);
            }
            List<byte[]> words = new ArrayList<>();
            for (String w : split(line)) {
                words.add(unescape(resolveKeys(w, keyPrefix, keys)));
            }
            return new Sent(encode(words), new String(words.get(0), StandardCharsets.ISO_8859_1).toUpperCase(Locale.ROOT),
                    words);
        }

        String word(int i) {
            return new String(words.get(i), StandardCharsets.ISO_8859_1);
        }

        String shown() {
            return WireReply.show(bytes);
        }

        static byte[] encode(List<byte[]> words) {
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            b.writeBytes(("*" + words.size() + "\r\n").getBytes(StandardCharsets.US_ASCII));
            for (byte[] w : words) {
                b.writeBytes(("$" + w.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
                b.writeBytes(w);
                b.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
            }
            return b.toByteArray();
        }

        /** {name} becomes the run's key; the key (with the rest of its word) is remembered for deletion. */
        private static String resolveKeys(String word, String keyPrefix, Set<String> keys) {
            Matcher m = KEY.matcher(word);
            if (!m.find()) {
                return word;
            }
            String resolved = m.replaceAll(r -> Matcher.quoteReplacement(key(r.group(1), keyPrefix)));
            keys.add(new String(unescape(resolved), StandardCharsets.ISO_8859_1));
            return resolved;
        }

        /** Words split at spaces; "..." keeps spaces and escapes, "" is the empty word. */
        private static List<String> split(String line) {
            List<String> words = new ArrayList<>();
            int i = 0;
            while (i < line.length()) {
                char c = line.charAt(i);
                if (c == ' ') {
                    i++;
                } else if (c == '"') {
                    int end = i + 1;
                    while (line.charAt(end) != '"') {
                        end += line.charAt(end) == '\\' ? 2 : 1;
                    }
                    words.add(line.substring(i + 1, end));
                    i = end + 1;
                } else {
                    int end = line.indexOf(' ', i);
                    end = end < 0 ? line.length() : end;
                    words.add(line.substring(i, end));
                    i = end;
                }
            }
            return words;
        }

        /** \r \n \t \" \\ and \xNN as bytes; everything else as ISO-8859-1. */
        private static byte[] unescape(String s) {
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            for (int i = 0; i < s.length(); i++) {
                char c = s.charAt(i);
                if (c != '\\' || i + 1 == s.length()) {
                    b.write(c);
                    continue;
                }
                char e = s.charAt(++i);
                switch (e) {
                    case 'r' -> b.write('\r');
                    case 'n' -> b.write('\n');
                    case 't' -> b.write('\t');
                    case 'x' -> {
                        b.write(Integer.parseInt(s.substring(i + 1, i + 3), 16));
                        i += 2;
                    }
                    default -> b.write(e);
                }
            }
            return b.toByteArray();
        }
    }

    /** A named sequence of command lines. */
    private record Sequence(String name, List<String> lines) {
        static List<Sequence> parse(String text) {
            List<Sequence> out = new ArrayList<>();
            String name = null;
            List<String> lines = new ArrayList<>();
            for (String line : text.split("\n")) {
                if (line.startsWith("## ")) {
                    if (name != null) {
                        out.add(new Sequence(name, List.copyOf(lines)));
                    }
                    name = line.substring(3).trim();
                    lines.clear();
                } else if (!line.isBlank() && !line.startsWith("#")) {
                    lines.add(line);
                }
            }
            if (name != null) {
                out.add(new Sequence(name, List.copyOf(lines)));
            }
            return out;
        }
    }

    /**
     * A row of the README's table "Where we differ from Redis":
     * {@code | `cmd; cmd` | `Redis's answers` | `this store's answers` | why |}, answers written
     * as RESP with \r\n.
     */
    private record Difference(List<String> commands, String redis, String ours) {
        private static final Pattern CELL = Pattern.compile("`([^`]*)`");

        static List<Difference> fromReadme(String readme) {
            int at = readme.indexOf("## Where we differ from Redis");
            assertThat(at).as("the README has a section 'Where we differ from Redis'").isNotNegative();
            List<Difference> rows = new ArrayList<>();
            for (String line : readme.substring(at).split("\n")) {
                if (line.startsWith("## ") && !rows.isEmpty()) {
                    break;
                }
                if (!line.startsWith("| `")) {
                    continue;
                }
                String[] cells = line.split(" \\| ");
                List<String> cmds = new ArrayList<>();
                for (String c : code(cells[0]).split("; ")) {
                    cmds.add(c.trim());
                }
                rows.add(new Difference(cmds, code(cells[1]), code(cells[2])));
            }
            return rows;
        }

        private static String code(String cell) {
            Matcher m = CELL.matcher(cell);
            if (!m.find()) {
                throw new AssertionError("no `code` in table cell " + cell);
            }
            return m.group(1).replace("\\|", "|"); // a table cell escapes its pipes
        }
    }
}
