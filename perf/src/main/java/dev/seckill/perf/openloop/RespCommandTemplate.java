package dev.seckill.perf.openloop;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * One command as RESP: the words given on the command line, with every {@value #ID} replaced by a
 * fresh request id, so each {@code INV.RESERVE} is a new reservation.
 */
public final class RespCommandTemplate implements RequestTemplate {
    private final byte[][] words;
    private final boolean[] isId;
    private final byte[] idPrefix;

    public RespCommandTemplate(List<String> command, String idPrefix) {
        if (command.isEmpty()) {
            throw new IllegalArgumentException("no command given");
        }
        this.words = new byte[command.size()][];
        this.isId = new boolean[command.size()];
        for (int i = 0; i < command.size(); i++) {
            isId[i] = command.get(i).equals(ID);
            words[i] = command.get(i).getBytes(StandardCharsets.UTF_8);
        }
        this.idPrefix = idPrefix.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public int maxBytes() {
        int n = 16;
        for (int i = 0; i < words.length; i++) {
            n += 16 + (isId[i] ? idPrefix.length + 20 : words[i].length);
        }
        return n;
    }

    @Override
    public void write(ByteBuffer out, long id) {
        out.put((byte) '*');
        putLine(out, words.length);
        for (int i = 0; i < words.length; i++) {
            out.put((byte) '$');
            if (isId[i]) {
                putLine(out, idPrefix.length + AsciiDigits.length(id));
                out.put(idPrefix);
                AsciiDigits.put(out, id);
            } else {
                putLine(out, words[i].length);
                out.put(words[i]);
            }
            out.put((byte) '\r').put((byte) '\n');
        }
    }

    private static void putLine(ByteBuffer out, long value) {
        AsciiDigits.put(out, value);
        out.put((byte) '\r').put((byte) '\n');
    }
}
