package dev.seckill.perf.openloop;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import static dev.seckill.perf.openloop.RespFraming.ANSWER;
import static dev.seckill.perf.openloop.RespFraming.ERROR;
import static dev.seckill.perf.openloop.RespFraming.INCOMPLETE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RespFramingTest {
    private static ByteBuffer bytes(String s) {
        return ByteBuffer.wrap(s.getBytes(StandardCharsets.US_ASCII));
    }

    @Test
    void findsEachReplyOfAPipelineAndTellsErrorsApart() {
        ByteBuffer in = bytes(":98\r\n-SOLDOUT\r\n+OK\r\n$3\r\nabc\r\n$-1\r\n*2\r\n:1\r\n$2\r\nhi\r\n");
        assertThat(RespFraming.RESP.next(in)).isEqualTo(ANSWER);
        assertThat(RespFraming.RESP.next(in)).isEqualTo(ERROR);
        assertThat(RespFraming.RESP.next(in)).isEqualTo(ANSWER);
        assertThat(RespFraming.RESP.next(in)).isEqualTo(ANSWER);
        assertThat(RespFraming.RESP.next(in)).isEqualTo(ANSWER);
        assertThat(RespFraming.RESP.next(in)).isEqualTo(ANSWER);
        assertThat(RespFraming.RESP.next(in)).isEqualTo(INCOMPLETE);
        assertThat(in.hasRemaining()).isFalse();
    }

    @Test
    void aReplyCutAnywhereWaitsForTheRest() {
        String whole = ":98\r\n$5\r\nhello\r\n*2\r\n:1\r\n-ERR x\r\n";
        for (int cut = 1; cut < whole.length(); cut++) {
            ByteBuffer in = bytes(whole.substring(0, cut));
            int complete = 0;
            while (RespFraming.RESP.next(in) != INCOMPLETE) {
                complete++;
            }
            // ":98\r\n" ends at 5, "$5\r\nhello\r\n" at 16, the array only at the end
            int expected = cut < 5 ? 0 : cut < 16 ? 1 : 2;
            assertThat(complete).as("first %d bytes", cut).isEqualTo(expected);
            assertThat(in.position()).isEqualTo(expected == 0 ? 0 : expected == 1 ? 5 : 16);
        }
    }

    @Test
    void bytesThatAreNoReplyAreRefused() {
        assertThatThrownBy(() -> RespFraming.RESP.next(bytes("hello\r\n"))).isInstanceOf(IllegalStateException.class);
    }
}
