package dev.seckill.store;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.awaitility.Awaitility.await;

/**
 * A counter-store running as its own {@code java -jar counter-store.jar} process, for crash tests:
 * started on a free port with a data directory that outlives it, killed hard ({@code kill -9}) or
 * softly (SIGTERM), and started again on the same data directory. The process's stdout and stderr
 * (every start appended) go to a log file under {@code target/} for diagnosis.
 *
 * <p>Members of one Raft group must start together (a node prints its ready line only once its
 * group has a leader): {@link #launch} them all, then {@link #awaitReady} each.
 */
final class StoreProcess implements AutoCloseable {
    private static final Pattern READY = Pattern.compile("counter-store ready on port (\\d+)");
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);

    private final Path dataDir;
    private final Path logFile;
    private final List<String> extraArgs;
    /** The RESP port every start uses; 0: a free one each time. */
    private int fixedPort;
    /** The network namespace the process runs in ({@code ip netns exec}), or null. */
    private String netns;
    private Process process;
    private int port;
    private int starts;
    /** Where the log of the current start begins. */
    private long readyFrom;

    /**
     * @param name      names the directory under {@code target/} holding the data dir and the log
     * @param extraArgs more flags, e.g. {@code --snapshot-every 50}, or {@code --node-id n1 --peers ...}
     *                  for a member of a Raft group
     */
    StoreProcess(String name, String... extraArgs) {
        Path base = jar().getParent().resolve("crash-it");
        try {
            Files.createDirectories(base);
            Path dir = Files.createTempDirectory(base, name + "-");
            this.dataDir = dir.resolve("data");
            this.logFile = dir.resolve("store.log");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        this.extraArgs = List.of(extraArgs);
    }

    /**
     * Makes every start use this RESP port (e.g. one picked with {@link #freePorts} together with a
     * group's Raft ports, so they cannot collide), instead of a free one picked at each start.
     */
    StoreProcess onPort(int respPort) {
        this.fixedPort = respPort;
        return this;
    }

    /** Makes every start run inside network namespace {@code name} ({@code ip netns exec name java ...}). */
    StoreProcess inNetworkNamespace(String name) {
        this.netns = name;
        return this;
    }

    /** The runnable jar failsafe passes in {@code -DcounterStoreJar}. */
    static Path jar() {
        String path = System.getProperty("counterStoreJar");
        if (path == null) {
            path = "target/counter-store.jar"; // run from the module directory in an IDE
        }
        Path jar = Path.of(path).toAbsolutePath();
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException("no runnable jar at " + jar + " (run mvn package first)");
        }
        return jar;
    }

    /**
     * Makes a group's Raft TLS material as an operator does, with the jar's {@code certs} command:
     * a CA and {@code <id>/node.crt, node.key, ca.crt} per member of {@code peers}, under a new
     * directory of {@code target/}. Returns that directory.
     */
    static Path groupCertificates(String name, String peers) {
        try {
            Path base = jar().getParent().resolve("crash-it");
            Files.createDirectories(base);
            Path dir = Files.createTempDirectory(base, name + "-tls-");
            Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-jar", jar().toString(), "certs", "--out", dir.toString(), "--peers", peers)
                    .redirectErrorStream(true).start();
            String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IllegalStateException("counter-store certs failed:\n" + output);
            }
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The options that give member {@code id} its material from {@link #groupCertificates}. */
    static List<String> tlsOptions(Path certificates, String id) {
        Path dir = certificates.resolve(id);
        return List.of("--raft-tls-cert-file", dir.resolve("node.crt").toString(),
                "--raft-tls-key-file", dir.resolve("node.key").toString(),
                "--raft-tls-ca-file", dir.resolve("ca.crt").toString());
    }

    /** Starts the process (the first time, or again after it stopped) and waits for its ready line. */
    StoreProcess start() {
        return launch().awaitReady();
    }

    /**
     * Starts the process (the first time, or again after it stopped) without waiting for it to be
     * ready; see {@link #awaitReady}.
     */
    StoreProcess launch() {
        if (process != null && process.isAlive()) {
            throw new IllegalStateException("already running as pid " + process.pid());
        }
        int wanted = fixedPort > 0 ? fixedPort : freePort();
        List<String> cmd = new ArrayList<>();
        if (netns != null) {
            cmd.addAll(List.of("ip", "netns", "exec", netns)); // execs java: the pid stays the JVM's
        }
        cmd.addAll(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xms64m", "-Xmx512m", "-XX:+UseSerialGC"));
        // e.g. -DstoreJvmOptions=-Dlogback.configurationFile=/tmp/debug.xml for a diagnosis
        for (String option : System.getProperty("storeJvmOptions", "").trim().split("\\s+")) {
            if (!option.isEmpty()) {
                cmd.add(option);
            }
        }
        cmd.addAll(List.of(
                "-jar", jar().toString(),
                "--port", Integer.toString(wanted),
                "--bind", "127.0.0.1",
                "--data-dir", dataDir.toString()));
        cmd.addAll(extraArgs);
        try {
            Files.writeString(logFile, "==== start " + (++starts) + ": " + String.join(" ", cmd) + "\n",
                    StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            readyFrom = Files.size(logFile);
            process = new ProcessBuilder(cmd)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        port = 0;
        return this;
    }

    /** Waits for the ready line of the process {@link #launch} started; its RESP port is known then. */
    StoreProcess awaitReady() {
        Process p = process;
        long logStart = readyFrom;
        await("counter-store ready line in " + logFile)
                .atMost(START_TIMEOUT)
                .pollInterval(Duration.ofMillis(50))
                .until(() -> {
                    if (!p.isAlive()) {
                        throw new IllegalStateException("counter-store exited with " + p.exitValue()
                                + " before it was ready; see " + logFile + ":\n" + logTail(4000));
                    }
                    Matcher m = READY.matcher(logSince(logStart));
                    if (m.find()) {
                        port = Integer.parseInt(m.group(1));
                        return true;
                    }
                    return false;
                });
        return this;
    }

    /** SIGKILL ({@code kill -9}): no shutdown hook runs, nothing is flushed. Waits until it is gone. */
    void killHard() {
        Process p = requireRunning();
        p.destroyForcibly(); // SIGKILL on Linux
        waitExit(p, Duration.ofSeconds(30));
    }

    /**
     * SIGTERM: the JVM runs the store's shutdown hook (drain, then stop the log) and exits.
     * Returns the exit code, or throws if it did not exit in time.
     */
    int terminate(Duration timeout) {
        Process p = requireRunning();
        p.destroy(); // SIGTERM on Linux
        return waitExit(p, timeout);
    }

    /** Sends SIGTERM and returns at once; see {@link #awaitExit}. */
    void sendTerm() {
        requireRunning().destroy();
    }

    int awaitExit(Duration timeout) {
        return waitExit(process, timeout);
    }

    private int waitExit(Process p, Duration timeout) {
        try {
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new AssertionError("counter-store pid " + p.pid() + " did not exit within " + timeout
                        + "; see " + logFile);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        return p.exitValue();
    }

    /** SIGSTOP: the process freezes (a stalled or partitioned node) until {@link #resume}. */
    void suspend() {
        signal("STOP");
    }

    /** SIGCONT after {@link #suspend}. */
    void resume() {
        signal("CONT");
    }

    private void signal(String name) {
        long pid = pid();
        try {
            Process kill = new ProcessBuilder("kill", "-s", name, Long.toString(pid)).inheritIO().start();
            if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
                throw new IllegalStateException("kill -s " + name + " " + pid + " failed");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Kills it hard (if it runs) and starts it again on the same data directory. */
    StoreProcess restart() {
        if (process != null && process.isAlive()) {
            killHard();
        }
        return start();
    }

    private Process requireRunning() {
        if (process == null || !process.isAlive()) {
            throw new IllegalStateException("counter-store is not running; see " + logFile);
        }
        return process;
    }

    long pid() {
        return requireRunning().pid();
    }

    boolean isAlive() {
        return process != null && process.isAlive();
    }

    int port() {
        return port;
    }

    String uri() {
        return "redis://127.0.0.1:" + port;
    }

    Path dataDir() {
        return dataDir;
    }

    Path logFile() {
        return logFile;
    }

    /** The end of the log file, for assertion messages. */
    String logTail(int chars) {
        try {
            String all = Files.readString(logFile, StandardCharsets.UTF_8);
            return all.length() <= chars ? all : all.substring(all.length() - chars);
        } catch (IOException e) {
            return "(log unreadable: " + e + ")";
        }
    }

    private String logSince(long offset) throws IOException {
        byte[] all = Files.readAllBytes(logFile);
        int from = (int) Math.min(offset, all.length);
        return new String(all, from, all.length - from, StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        if (process != null && process.isAlive()) {
            process.destroyForcibly();
            try {
                process.waitFor(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static int freePort() {
        return freePorts(1)[0];
    }

    /** {@code n} distinct ports free on loopback right now (all held open together while picked). */
    static int[] freePorts(int n) {
        List<ServerSocket> held = new ArrayList<>();
        try {
            int[] ports = new int[n];
            for (int i = 0; i < n; i++) {
                ServerSocket s = new ServerSocket();
                held.add(s);
                s.setReuseAddress(true);
                s.bind(new InetSocketAddress("127.0.0.1", 0));
                ports[i] = s.getLocalPort();
            }
            return ports;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            for (ServerSocket s : held) {
                try {
                    s.close();
                } catch (IOException ignored) {
                    // the port is free again either way
                }
            }
        }
    }
}
