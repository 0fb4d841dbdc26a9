package dev.seckill.store.tls;

import org.apache.ratis.grpc.GrpcTlsConfig;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.TrustManagerFactory;
import java.io.IOException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.Date;
import java.util.List;

/**
 * What a member of a Raft group proves itself with and whom it trusts: its private key and
 * certificate chain, and the cluster's CA certificates. Members talk mutual TLS: a connection to
 * the Raft port, in either direction, is accepted only from a peer whose certificate the cluster
 * CA signed, and the peer's certificate must name the host it is dialled by.
 *
 * <p>Checked when loaded, so a node with unusable material refuses to start with a message
 * instead of failing every handshake later: the key must belong to the first certificate, and
 * every certificate must be valid today.
 */
public final class RaftTls {
    private final PrivateKey key;
    private final List<X509Certificate> chain;
    private final List<X509Certificate> trusted;

    private RaftTls(PrivateKey key, List<X509Certificate> chain, List<X509Certificate> trusted) {
        this.key = key;
        this.chain = List.copyOf(chain);
        this.trusted = List.copyOf(trusted);
    }

    /**
     * Reads and checks the PEM files.
     *
     * @param certFile    this node's certificate, optionally followed by intermediate CAs
     * @param keyFile     this node's private key
     * @param caFile      the cluster CA certificate(s): the only issuers a peer may present
     * @param keyPassword the private key's password, or null if it is not encrypted
     * @throws IllegalArgumentException naming the file and what is wrong with it
     */
    public static RaftTls load(Path certFile, Path keyFile, Path caFile, char[] keyPassword) {
        try {
            return of(PemFiles.privateKey(keyFile, keyPassword), PemFiles.certificates(certFile),
                    PemFiles.certificates(caFile));
        } catch (IOException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    /** The same from material already in memory (tests, the {@code certs} command). */
    public static RaftTls of(PrivateKey key, List<X509Certificate> chain, List<X509Certificate> trusted) {
        if (chain.isEmpty() || trusted.isEmpty()) {
            throw new IllegalArgumentException("a certificate and at least one CA certificate are needed");
        }
        Date now = new Date();
        for (X509Certificate c : chain) {
            checkValid(c, now, "certificate");
        }
        for (X509Certificate c : trusted) {
            checkValid(c, now, "CA certificate");
        }
        checkKeyMatches(key, chain.get(0));
        return new RaftTls(key, chain, trusted);
    }

    private static void checkValid(X509Certificate c, Date now, String what) {
        try {
            c.checkValidity(now);
        } catch (CertificateException e) {
            throw new IllegalArgumentException(what + " '" + c.getSubjectX500Principal().getName()
                    + "' is not valid now (valid " + c.getNotBefore() + " to " + c.getNotAfter() + ")", e);
        }
    }

    /** Signs with the key and verifies with the certificate: they must be one key pair. */
    private static void checkKeyMatches(PrivateKey key, X509Certificate cert) {
        String algorithm = switch (key.getAlgorithm()) {
            case "EC" -> "SHA256withECDSA";
            case "RSA" -> "SHA256withRSA";
            case "Ed25519", "Ed448", "EdDSA" -> key.getAlgorithm();
            default -> throw new IllegalArgumentException("private keys of type " + key.getAlgorithm()
                    + " are not supported; use EC or RSA");
        };
        try {
            byte[] probe = new byte[32];
            new SecureRandom().nextBytes(probe);
            Signature sign = Signature.getInstance(algorithm);
            sign.initSign(key);
            sign.update(probe);
            byte[] signature = sign.sign();
            Signature verify = Signature.getInstance(algorithm);
            verify.initVerify(cert.getPublicKey());
            verify.update(probe);
            if (!verify.verify(signature)) {
                throw new IllegalArgumentException("the private key does not belong to the certificate '"
                        + cert.getSubjectX500Principal().getName() + "'");
            }
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("the private key does not belong to the certificate '"
                    + cert.getSubjectX500Principal().getName() + "': " + e.getMessage(), e);
        }
    }

    /**
     * Ratis's TLS settings for one side of a connection, server or client, with mutual
     * authentication on: a server asks for the client's certificate and refuses a connection
     * without one the cluster CA signed.
     */
    public GrpcTlsConfig grpcConfig() {
        try {
            char[] none = new char[0];
            KeyStore keys = KeyStore.getInstance("PKCS12");
            keys.load(null, null);
            keys.setKeyEntry("node", key, none, chain.toArray(new X509Certificate[0]));
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(keys, none);

            KeyStore trust = KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            for (int i = 0; i < trusted.size(); i++) {
                trust.setCertificateEntry("ca-" + i, trusted.get(i));
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            return new GrpcTlsConfig(kmf.getKeyManagers()[0], tmf.getTrustManagers()[0], true);
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("cannot set up TLS from the loaded key and certificates", e);
        }
    }

    /** This node's certificate (the first of its chain). */
    public X509Certificate certificate() {
        return chain.get(0);
    }

    /** One line for the log: whose certificate, until when, issued by whom. */
    public String describe() {
        X509Certificate c = certificate();
        return "certificate '" + c.getSubjectX500Principal().getName() + "' valid until " + c.getNotAfter()
                + ", trusting " + trusted.size() + " CA certificate(s), first '"
                + trusted.get(0).getSubjectX500Principal().getName() + "'";
    }
}
