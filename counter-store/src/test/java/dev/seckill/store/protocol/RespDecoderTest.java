package dev.seckill.store.protocol;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** What a client may send and what the decoder makes of it. */
class RespDecoderTest {

    private static final String PING = "*1\r\n$4\r\nPING\r\n";

    private final List<EmbeddedChannel> channels = new ArrayList<>();

    @AfterEach
    void closeChannels() {
        channels.forEach(EmbeddedChannel::finishAndReleaseAll);
    }

    @Test
    void decodesOneArrayCommandIntoItsArguments() {
        List<Object> out = decode("*3\r\n$3\r\nSET\r\n$3\r\nkey\r\n$5\r\nvalue\r\n");

        assertThat(commands(out)).containsExactly(List.of("SET", "key", "value"));
    }

    @Test
    void decodesEmptyBulkArguments() {
        assertThat(commands(decode("*2\r\n$4\r\nECHO\r\n$0\r\n\r\n"))).containsExactly(List.of("ECHO", ""));
    }

    @Test
    void decodesAHundredPipelinedCommandsFromOneBuffer() {
        StringBuilder pipeline = new StringBuilder();
        List<List<String>> expected = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            pipeline.append(array("INCRBY", "stock:" + i, Integer.toString(i)));
            expected.add(List.of("INCRBY", "stock:" + i, Integer.toString(i)));
        }

        assertThat(commands(decode(pipeline.toString()))).containsExactlyElementsOf(expected);
    }

    @Test
    void aPipelineWrittenOneByteAtATimeDecodesAsWhenWrittenAtOnce() {
        String pipeline = mixedPipeline();
        List<List<String>> whole = commands(decode(pipeline));

        EmbeddedChannel channel = channel(new RespDecoder());
        for (byte b : pipeline.getBytes(ISO_8859_1)) {
            channel.writeInbound(Unpooled.wrappedBuffer(new byte[] {b}));
        }

        assertThat(whole).hasSize(7);
        assertThat(commands(drain(channel))).isEqualTo(whole);
    }

    @Test
    void aPipelineSplitAtAnyPointOrInRandomPiecesDecodesTheSame() {
        byte[] pipeline = mixedPipeline().getBytes(ISO_8859_1);
        List<List<String>> whole = commands(decode(mixedPipeline()));

        for (int split = 1; split < pipeline.length; split++) {
            List<Object> out = decode(Arrays.copyOfRange(pipeline, 0, split),
                    Arrays.copyOfRange(pipeline, split, pipeline.length));
            assertThat(commands(out)).as("split at %d", split).isEqualTo(whole);
        }
        Random random = new Random(42);
        for (int round = 0; round < 200; round++) {
            List<byte[]> pieces = new ArrayList<>();
            for (int at = 0; at < pipeline.length; ) {
                int size = Math.min(1 + random.nextInt(12), pipeline.length - at);
                pieces.add(Arrays.copyOfRange(pipeline, at, at + size));
                at += size;
            }
            assertThat(commands(decode(pieces.toArray(new byte[0][])))).isEqualTo(whole);
        }
    }

    @Test
    void aLargeCommandArrivingInManySmallReadsIsDecodedOnceComplete() {
        int args = 2_000;
        StringBuilder command = new StringBuilder("*" + (args + 1) + "\r\n$5\r\nMSETX\r\n");
        for (int i = 0; i < args; i++) {
            command.append("$6\r\n").append(String.format("k%05d", i)).append("\r\n");
        }
        byte[] bytes = command.toString().getBytes(ISO_8859_1);
        byte[] bulk = new byte[ProtocolLimits.defaults().maxBulkBytes()];
        Arrays.fill(bulk, (byte) 'v');
        EmbeddedChannel channel = channel(new RespDecoder());

        for (int at = 0; at < bytes.length; at += 7) {
            channel.writeInbound(Unpooled.wrappedBuffer(bytes, at, Math.min(7, bytes.length - at)));
            if (at + 7 < bytes.length) {
                assertThat(drain(channel)).isEmpty();
            }
        }
        List<Object> out = drain(channel);
        assertThat(commands(out)).hasSize(1);
        byte[][] argv = (byte[][]) out.get(0);
        assertThat(argv.length).isEqualTo(args + 1);
        assertThat(new String(argv[args], ISO_8859_1)).isEqualTo("k01999");

        // one bulk of the largest allowed size, in 1 KiB reads
        channel.writeInbound(Unpooled.copiedBuffer("*2\r\n$3\r\nSET\r\n$" + bulk.length + "\r\n", ISO_8859_1));
        for (int at = 0; at < bulk.length; at += 1024) {
            channel.writeInbound(Unpooled.wrappedBuffer(bulk, at, 1024));
        }
        assertThat(drain(channel)).isEmpty();
        channel.writeInbound(Unpooled.copiedBuffer("\r\n", ISO_8859_1));
        byte[][] set = (byte[][]) drain(channel).get(0);
        assertThat(set[1]).isEqualTo(bulk);
    }

    @Test
    void bulksAreBinarySafe() {
        byte[] value = {'a', '\r', '\n', 0, 'b', (byte) 0xff, '\n', '*', '$'};
        byte[] head = "*2\r\n$3\r\nSET\r\n$9\r\n".getBytes(ISO_8859_1);
        byte[] tail = "\r\n".getBytes(ISO_8859_1);

        List<Object> out = decode(head, value, tail);

        assertThat(out).hasSize(1);
        assertThat(((byte[][]) out.get(0))[1]).isEqualTo(value);
    }

    @Test
    void inlineCommandsAreSplitOnSpacesAndTabs() {
        List<Object> out = decode("PING\r\nGET key\n  SET\tkey   value \r\n");

        assertThat(commands(out)).containsExactly(
                List.of("PING"), List.of("GET", "key"), List.of("SET", "key", "value"));
    }

    @Test
    void inlineDoubleQuotesHoldBlanksAndEscapedQuotes() {
        List<Object> out = decode("SET \"sku 1\" \"say \\\"hi\\\" \\\\o/\" \"\"\r\n");

        assertThat(commands(out)).containsExactly(List.of("SET", "sku 1", "say \"hi\" \\o/", ""));
    }

    @Test
    void emptyArraysNullArraysAndEmptyLinesAreNoCommand() {
        List<Object> out = decode("*0\r\n*-1\r\n\r\n\n   \r\n" + PING);

        assertThat(commands(out)).containsExactly(List.of("PING"));
    }

    @Test
    void whatTheWriterSendsAsAnArrayOfBulksTheDecoderReadsBack() {
        Reply request = new Reply.Array(List.of(Reply.bulk("HSET"), Reply.bulk("h"), Reply.bulk("f\r\n"), Reply.bulk("")));

        List<Object> out = decode(RespWriter.toBytes(request, 2));

        assertThat(commands(out)).containsExactly(List.of("HSET", "h", "f\r\n", ""));
    }

    static Stream<Arguments> brokenInput() {
        return Stream.of(
                Arguments.of("count not a number", "*x\r\n", "Protocol error: invalid multibulk length"),
                Arguments.of("count with leading zero", "*01\r\n", "Protocol error: invalid multibulk length"),
                Arguments.of("count without digits", "*\r\n", "Protocol error: invalid multibulk length"),
                Arguments.of("count over maxArgs", "*65537\r\n", "Protocol error: invalid multibulk length"),
                Arguments.of("bulk length not a number", "*1\r\n$x\r\n", "Protocol error: invalid bulk length"),
                Arguments.of("bulk length negative", "*1\r\n$-1\r\n", "Protocol error: invalid bulk length"),
                Arguments.of("bulk length CR without LF", "*1\r\n$3\rxfoo\r\n", "Protocol error: invalid bulk length"),
                Arguments.of("bulk over maxBulkBytes", "*1\r\n$1048577\r\n", "Protocol error: invalid bulk length"),
                Arguments.of("no '$' where a bulk is due", "*1\r\nx3\r\nfoo\r\n", "Protocol error: expected '$', got 'x'"),
                Arguments.of("an integer where a bulk is due", "*2\r\n$3\r\nGET\r\n:1\r\n", "Protocol error: expected '$', got ':'"),
                Arguments.of("bulk not followed by CRLF", "*1\r\n$3\r\nfooXY", "Protocol error: expected CRLF after bulk string"),
                Arguments.of("bulk one byte longer than claimed", "*1\r\n$3\r\nfoox\r\n", "Protocol error: expected CRLF after bulk string"),
                Arguments.of("inline line without end over 64 KiB", "G".repeat(64 * 1024 + 2), "Protocol error: too big inline request"),
                Arguments.of("inline line over 64 KiB", "G".repeat(64 * 1024 + 1) + "\r\n", "Protocol error: too big inline request"),
                Arguments.of("inline unclosed quote", "SET \"sku 1\r\n", "Protocol error: unbalanced quotes in request"),
                Arguments.of("inline text after closing quote", "SET \"sku\"1 2\r\n", "Protocol error: unbalanced quotes in request"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("brokenInput")
    @DisplayName("broken input yields exactly one ProtocolError and nothing after it")
    void brokenInputYieldsOneErrorAndNothingAfterIt(String name, String input, String message) {
        EmbeddedChannel channel = channel(new RespDecoder());
        channel.writeInbound(Unpooled.copiedBuffer(PING + input + PING, ISO_8859_1));
        channel.writeInbound(Unpooled.copiedBuffer(PING + PING, ISO_8859_1));

        List<Object> out = drain(channel);

        assertThat(out).hasSize(2);
        assertThat(commands(out.subList(0, 1))).containsExactly(List.of("PING"));
        assertThat(out.get(1)).isEqualTo(new ProtocolError(message));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("brokenInput")
    @DisplayName("broken input sent one byte at a time yields the same single error")
    void brokenInputOneByteAtATimeYieldsTheSameError(String name, String input, String message) {
        EmbeddedChannel channel = channel(new RespDecoder());
        for (byte b : (input + PING).getBytes(ISO_8859_1)) {
            channel.writeInbound(Unpooled.wrappedBuffer(new byte[] {b}));
        }

        assertThat(drain(channel)).containsExactly(new ProtocolError(message));
    }

    @Test
    void aHugeBulkClaimFailsAtItsHeaderWithoutWaitingForTheLineEnd() {
        assertThat(decode("*1\r\n$2000000000\r\n")).containsExactly(new ProtocolError("Protocol error: invalid bulk length"));
        assertThat(decode("*1\r\n$20000000")).containsExactly(new ProtocolError("Protocol error: invalid bulk length"));
        assertThat(decode("*100000000")).containsExactly(new ProtocolError("Protocol error: invalid multibulk length"));
    }

    @Test
    void aHugeClaimWithinTheLimitsAllocatesNothingBeforeItsBytesArrive() {
        ProtocolLimits generous = new ProtocolLimits(Integer.MAX_VALUE - 8, Integer.MAX_VALUE, 1024);
        EmbeddedChannel channel = channel(new RespDecoder(generous));
        channel.writeInbound(Unpooled.copiedBuffer(PING, ISO_8859_1)); // warm up the path
        drain(channel);

        long before = allocatedBytes();
        channel.writeInbound(Unpooled.copiedBuffer("*2000000000\r\n$3\r\nSET\r\n$2000000000\r\nabc", ISO_8859_1));
        long allocated = allocatedBytes() - before;

        assertThat(drain(channel)).isEmpty();
        assertThat(allocated).as("bytes allocated for a 2 GB claim").isLessThan(1 << 20);
    }

    @Test
    void limitsComeFromTheConstructor() {
        ProtocolLimits small = new ProtocolLimits(8, 2, 16);

        assertThat(commands(decode(small, "*2\r\n$8\r\n12345678\r\n$1\r\nx\r\n" + "x".repeat(16) + "\r\n")))
                .containsExactly(List.of("12345678", "x"), List.of("x".repeat(16)));
        assertThat(decode(small, "*3\r\n")).containsExactly(new ProtocolError("Protocol error: invalid multibulk length"));
        assertThat(decode(small, "*1\r\n$9\r\n")).containsExactly(new ProtocolError("Protocol error: invalid bulk length"));
        assertThat(decode(small, "x".repeat(17) + "\r\n")).containsExactly(new ProtocolError("Protocol error: too big inline request"));
        assertThat(decode(small, "x".repeat(18))).containsExactly(new ProtocolError("Protocol error: too big inline request"));
        assertThat(decode(new RespDecoder(), "x".repeat(17) + "\r\n")).hasSize(1).allMatch(o -> o instanceof byte[][]);
    }

    @Test
    void aProtocolErrorBecomesTheErrRedisSends() {
        assertThat(new ProtocolError("Protocol error: invalid bulk length").toReply())
                .isEqualTo(Reply.error("ERR Protocol error: invalid bulk length"));
    }

    // ---- helpers

    /** Inline commands, empty lines, an ignored array, binary and empty bulks, in one stream. */
    private static String mixedPipeline() {
        return array("SET", "sku:1", "100") + "PING\r\n" + "*0\r\n" + array("DECRBY", "sku:1", "3")
                + "\r\n" + "GET \"sku 1\"\n" + array("SET", "bin", "a\r\n\0b") + array("ECHO", "")
                + "*-1\r\n" + array("GET", "sku:1");
    }

    private static String array(String... args) {
        StringBuilder s = new StringBuilder("*").append(args.length).append("\r\n");
        for (String arg : args) {
            s.append('$').append(arg.getBytes(ISO_8859_1).length).append("\r\n").append(arg).append("\r\n");
        }
        return s.toString();
    }

    private EmbeddedChannel channel(RespDecoder decoder) {
        EmbeddedChannel channel = new EmbeddedChannel(decoder);
        channels.add(channel);
        return channel;
    }

    private List<Object> decode(String input) {
        return decode(ProtocolLimits.defaults(), input);
    }

    private List<Object> decode(ProtocolLimits limits, String input) {
        return decode(new RespDecoder(limits), input);
    }

    private List<Object> decode(RespDecoder decoder, String input) {
        EmbeddedChannel channel = channel(decoder);
        channel.writeInbound(Unpooled.copiedBuffer(input, ISO_8859_1));
        return drain(channel);
    }

    private List<Object> decode(byte[]... chunks) {
        EmbeddedChannel channel = channel(new RespDecoder());
        for (byte[] chunk : chunks) {
            channel.writeInbound(Unpooled.wrappedBuffer(chunk));
        }
        return drain(channel);
    }

    private static List<Object> drain(EmbeddedChannel channel) {
        List<Object> out = new ArrayList<>();
        for (Object o; (o = channel.readInbound()) != null; ) {
            out.add(o);
        }
        return out;
    }

    private static List<List<String>> commands(List<Object> out) {
        List<List<String>> commands = new ArrayList<>();
        for (Object o : out) {
            assertThat(o).isInstanceOf(byte[][].class);
            commands.add(Arrays.stream((byte[][]) o).map(a -> new String(a, ISO_8859_1)).toList());
        }
        return commands;
    }

    private static long allocatedBytes() {
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        return threads.getThreadAllocatedBytes(Thread.currentThread().getId());
    }
}
