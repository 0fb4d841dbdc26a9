package dev.seckill.sync.rds;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/** A statement of rds-schema's {@code db/sync/} folder, without its comment lines. */
final class SqlFile {
    /** The one placeholder group of an {@code INSERT ... VALUES (?, ...)}; {@code VALUES(col)} has no {@code ?}. */
    private static final Pattern ROW = Pattern.compile("VALUES\\s*(\\(\\?(?:\\s*,\\s*\\?)*\\))");

    private SqlFile() {
    }

    static String load(String name) {
        String path = "/db/sync/" + name + ".sql";
        try (InputStream in = SqlFile.class.getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalStateException(path + " is not on the classpath (rds-schema jar missing?)");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).lines()
                    .filter(l -> !l.strip().startsWith("--"))
                    .collect(Collectors.joining("\n")).strip();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The same {@code INSERT ... VALUES (?, ...) ON DUPLICATE KEY UPDATE ...} for {@code rows} rows at once. */
    static String multiRow(String singleRow, int rows) {
        Matcher m = ROW.matcher(singleRow);
        if (!m.find()) {
            throw new IllegalArgumentException("not a one-row INSERT ... VALUES (?, ...): " + singleRow);
        }
        String group = m.group(1);
        StringBuilder values = new StringBuilder("VALUES ");
        for (int i = 0; i < rows; i++) {
            values.append(i == 0 ? "" : ", ").append(group);
        }
        return singleRow.substring(0, m.start()) + values + singleRow.substring(m.end());
    }

    /** {@code (?, ?, ...)} repeated {@code rows} times, comma-separated: for IN lists. */
    static String placeholders(int rows) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < rows; i++) {
            sb.append(i == 0 ? "?" : ", ?");
        }
        return sb.toString();
    }
}
