package dev.seckill.sync.cli;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** {@code java -jar inventory-sync.jar ...} as a real process, its output in files the test reads. */
final class SyncCli {
    private final Process process;
    private final Path out;
    private final Path err;

    private SyncCli(Process process, Path out, Path err) {
        this.process = process;
        this.out = out;
        this.err = err;
    }

    static SyncCli start(Path dir, List<String> jvmProps, String... args) throws IOException {
        String jar = System.getProperty("inventorySyncJar", "target/inventory-sync.jar");
        if (!new File(jar).isFile()) {
            throw new IllegalStateException(jar + " is missing: run `mvn package` (failsafe runs after it)");
        }
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command().orElse("java"));
        cmd.add("-Xmx256m");
        cmd.add("-XX:TieredStopAtLevel=1");
        cmd.addAll(jvmProps);
        cmd.add("-jar");
        cmd.add(jar);
        cmd.addAll(List.of(args));
        Path out = Files.createTempFile(dir, "cli", ".out");
        Path err = Files.createTempFile(dir, "cli", ".err");
        Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        return new SyncCli(p, out, err);
    }

    /** Runs to the end (at most 120 s) and answers the exit code. */
    static SyncCli run(Path dir, String... args) throws Exception {
        SyncCli cli = start(dir, List.of(), args);
        cli.waitFor();
        return cli;
    }

    int waitFor() throws InterruptedException {
        if (!process.waitFor(120, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("inventory-sync did not finish in 120 s; stderr: " + stderrQuietly());
        }
        return process.exitValue();
    }

    int exitCode() {
        return process.exitValue();
    }

    /** SIGKILL: no shutdown hook, no finally. */
    void kill9() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    boolean alive() {
        return process.isAlive();
    }

    String stdout() throws IOException {
        return Files.readString(out);
    }

    String stderr() throws IOException {
        return Files.readString(err);
    }

    private String stderrQuietly() {
        try {
            return stderr();
        } catch (IOException e) {
            return "(unreadable)";
        }
    }
}
