package dev.seckill.perf;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.List;

/** The {@code --name value} options of the load generators, and their CSV files. */
final class CommandLine {
    private final String[] options;
    private final List<String> known;
    private final String usage;

    /** Exits with the usage on an option not in {@code known} or one without a value. */
    CommandLine(String[] options, String usage, String... known) {
        this.options = options;
        this.known = List.of(known);
        this.usage = usage;
        for (int i = 0; i < options.length; i += 2) {
            if (!this.known.contains(options[i])) {
                fail("unknown option " + options[i]);
            }
            if (i + 1 >= options.length) {
                fail(options[i] + " needs a value");
            }
        }
    }

    String get(String name, String otherwise) {
        for (int i = 0; i + 1 < options.length; i += 2) {
            if (options[i].equals(name)) {
                return options[i + 1];
            }
        }
        return otherwise;
    }

    int integer(String name, int otherwise) {
        return (int) number(name, otherwise);
    }

    double decimal(String name, double otherwise) {
        try {
            return Double.parseDouble(get(name, Double.toString(otherwise)));
        } catch (NumberFormatException e) {
            fail(name + " takes a number");
            return otherwise;
        }
    }

    long number(String name, long otherwise) {
        try {
            return Long.parseLong(get(name, Long.toString(otherwise)));
        } catch (NumberFormatException e) {
            fail(name + " takes a whole number");
            return otherwise;
        }
    }

    /** A comma-separated list of positive whole numbers. */
    long[] numbers(String name, String otherwise) {
        try {
            long[] values = Arrays.stream(get(name, otherwise).split(",")).mapToLong(s -> Long.parseLong(s.trim())).toArray();
            if (Arrays.stream(values).anyMatch(v -> v <= 0)) {
                fail(name + " takes positive numbers");
            }
            return values;
        } catch (NumberFormatException e) {
            fail(name + " takes whole numbers separated by commas");
            return new long[0];
        }
    }

    /** Prints the problem and the usage and exits with status 2. */
    void fail(String problem) {
        System.err.println(problem);
        System.err.println(usage);
        System.exit(2);
    }

    /** Appends {@code row} to the CSV file, writing the header first if the file is new. */
    static void appendRow(Path csv, String header, String row) throws IOException {
        if (!Files.exists(csv)) {
            Files.writeString(csv, header + "\n", StandardCharsets.UTF_8);
        }
        Files.writeString(csv, row + "\n", StandardCharsets.UTF_8, StandardOpenOption.APPEND);
    }
}
