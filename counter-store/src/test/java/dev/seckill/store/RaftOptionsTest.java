package dev.seckill.store;

import dev.seckill.store.tls.ClusterCertificates;
import dev.seckill.store.tls.PemFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The Raft options on the command line: a member of a group of more than one refuses to start
 * without TLS material unless plaintext is asked for by name; the {@code certs} command makes
 * material a node loads, with the SANs its peers dial; keys come in OpenSSL's forms, encrypted
 * ones with a password from a file; bad material is refused with a message naming it.
 */
class RaftOptionsTest {
    private static final String PEERS = "n1=127.0.0.1:7101,n2=localhost:7102,n3=10.1.2.3:7103";

    @Test
    void aMemberWithoutTlsRefusesToStartAndSaysWhatToGive() {
        Result r = run("--node-id", "n1", "--peers", PEERS, "--port", "0");
        assertThat(r.code).isEqualTo(2);
        assertThat(r.err).contains("needs TLS material", "--raft-tls-cert-file", "counter-store certs",
                "--raft-insecure-plaintext");
    }

    @Test
    void theOptOutIsExplicitAndTheMaterialGoesTogether(@TempDir Path dir) {
        StoreConfig plain = config("--node-id", "n1", "--peers", PEERS, "--raft-insecure-plaintext");
        assertThat(plain.raftInsecurePlaintext()).isTrue();
        assertThat(plain.raftTls()).isNull();

        Result partial = run("--node-id", "n1", "--peers", PEERS, "--raft-tls-cert-file", dir.resolve("x").toString());
        assertThat(partial.code).isEqualTo(2);
        assertThat(partial.err).contains("go together");

        Result bindAlone = run("--raft-bind", "0.0.0.0");
        assertThat(bindAlone.code).isEqualTo(2);
        assertThat(bindAlone.err).contains("--raft-bind applies to a member");
    }

    @Test
    void certsMakesMaterialEachMemberLoadsWithTheHostItsPeersDial(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("tls");
        Result made = run("certs", "--out", out.toString(), "--peers", PEERS);
        assertThat(made.code).as(made.err).isZero();

        StoreConfig n2 = config("--node-id", "n2", "--peers", PEERS, "--raft-tls-cert-file", out.resolve("n2/node.crt").toString(),
                "--raft-tls-key-file", out.resolve("n2/node.key").toString(),
                "--raft-tls-ca-file", out.resolve("n2/ca.crt").toString());
        X509Certificate cert = n2.raftTls().certificate();
        assertThat(cert.getSubjectX500Principal().getName()).contains("CN=n2");
        assertThat(sans(cert)).containsExactly("localhost");
        assertThat(sans(PemFiles.certificates(out.resolve("n1/node.crt")).get(0))).containsExactly("127.0.0.1");
        assertThat(sans(PemFiles.certificates(out.resolve("n3/node.crt")).get(0))).containsExactly("10.1.2.3");
        assertThat(cert.getExtendedKeyUsage()).contains("1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2");
        assertThat(Files.getPosixFilePermissions(out.resolve("n2/node.key")))
                .containsExactlyInAnyOrder(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
        assertThat(Files.exists(out.resolve("n2/ca.key"))).as("the CA key stays out of a node's directory").isFalse();

        // a second run signs a new member with the same CA: the others keep their material
        String ca = Files.readString(out.resolve("ca.crt"));
        assertThat(run("certs", "--out", out.toString(), "--peers", "n4=10.1.2.4:7104").code).isZero();
        assertThat(Files.readString(out.resolve("n4/ca.crt"))).isEqualTo(ca);
    }

    @Test
    void anEncryptedKeyTakesItsPasswordFromAFileAndAWrongOneIsNamed(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("tls");
        assertThat(run("certs", "--out", out.toString(), "--peers", PEERS).code).isZero();
        Path encrypted = dir.resolve("n1-encrypted.key");
        Process p = new ProcessBuilder("openssl", "pkcs8", "-topk8", "-v2", "aes-256-cbc",
                "-in", out.resolve("n1/node.key").toString(), "-out", encrypted.toString(), "-passout", "pass:k3y-pass")
                .redirectErrorStream(true).start();
        assertThat(p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0)
                .as("openssl: %s", new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8)).isTrue();
        assertThat(Files.readString(encrypted)).contains("ENCRYPTED PRIVATE KEY");
        Path goodPass = Files.writeString(dir.resolve("pass"), "k3y-pass\n");
        Path badPass = Files.writeString(dir.resolve("bad"), "guess\n");
        List<String> base = List.of("--node-id", "n1", "--peers", PEERS,
                "--raft-tls-cert-file", out.resolve("n1/node.crt").toString(),
                "--raft-tls-key-file", encrypted.toString(),
                "--raft-tls-ca-file", out.resolve("n1/ca.crt").toString());

        assertThat(config(with(base, "--raft-tls-key-pass-file", goodPass.toString())).raftTls()).isNotNull();
        assertThat(run(with(base, "--raft-tls-key-pass-file", badPass.toString())).err)
                .contains(encrypted.toString(), "cannot decrypt");
        assertThat(run(base.toArray(new String[0])).err).contains("encrypted and no password was given");

        Path legacy = dir.resolve("legacy.key");
        Process old = new ProcessBuilder("openssl", "genrsa", "-aes256", "-traditional", "-passout", "pass:k3y-pass",
                "-out", legacy.toString(), "2048").redirectErrorStream(true).start();
        assertThat(old.waitFor(60, TimeUnit.SECONDS) && old.exitValue() == 0).isTrue();
        List<String> legacyKey = new ArrayList<>(base);
        legacyKey.set(legacyKey.indexOf(encrypted.toString()), legacy.toString());
        assertThat(run(with(legacyKey, "--raft-tls-key-pass-file", goodPass.toString())).err)
                .contains("old format", "openssl pkcs8 -topk8");
    }

    @Test
    void materialThatCannotWorkIsRefusedAtStartNamingTheFile(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("tls");
        assertThat(run("certs", "--out", out.toString(), "--peers", PEERS).code).isZero();
        List<String> mismatched = List.of("--node-id", "n1", "--peers", PEERS,
                "--raft-tls-cert-file", out.resolve("n1/node.crt").toString(),
                "--raft-tls-key-file", out.resolve("n2/node.key").toString(),
                "--raft-tls-ca-file", out.resolve("n1/ca.crt").toString());
        assertThat(run(mismatched.toArray(new String[0])).err).contains("does not belong to the certificate");

        Path notPem = Files.writeString(dir.resolve("garbage.crt"), "hello\n");
        List<String> garbage = List.of("--node-id", "n1", "--peers", PEERS,
                "--raft-tls-cert-file", notPem.toString(),
                "--raft-tls-key-file", out.resolve("n1/node.key").toString(),
                "--raft-tls-ca-file", out.resolve("n1/ca.crt").toString());
        assertThat(run(garbage.toArray(new String[0])).err).contains(notPem.toString(), "no CERTIFICATE");

        assertThatThrownBy(() -> ClusterCertificates.issue(ClusterCertificates.newAuthority("x",
                java.time.Duration.ofDays(1)), "n1", List.of("not a host!"), java.time.Duration.ofDays(1)))
                .hasMessageContaining("neither an IP address nor a DNS name");
    }

    private static List<String> sans(X509Certificate cert) throws Exception {
        List<String> names = new ArrayList<>();
        for (List<?> san : cert.getSubjectAlternativeNames()) {
            names.add(String.valueOf(san.get(1)));
        }
        return names;
    }

    private static String[] with(List<String> base, String... more) {
        List<String> all = new ArrayList<>(base);
        all.addAll(List.of(more));
        return all.toArray(new String[0]);
    }

    private static StoreConfig config(String... args) {
        CounterStoreMain main = new CounterStoreMain();
        new CommandLine(main).parseArgs(args);
        return main.config();
    }

    private record Result(int code, String err) {}

    /** Runs the command line as main does; only for arguments that stop before a node starts. */
    private static Result run(String... args) {
        PrintStream err = System.err;
        PrintStream out = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        try (PrintStream p = new PrintStream(captured, true, StandardCharsets.UTF_8)) {
            System.setErr(p);
            System.setOut(p);
            int code = CounterStoreMain.run(args);
            return new Result(code, captured.toString(StandardCharsets.UTF_8));
        } finally {
            System.setErr(err);
            System.setOut(out);
        }
    }
}
