package dev.seckill.store.tls;

import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

import java.io.IOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A private certificate authority for one store cluster, and the member certificates it signs.
 * Keys are EC P-256; a member certificate is good for both ends of a connection (server and client
 * authentication) and names, as subject alternative names, every host its peers dial it by (an IP
 * SAN for an address, a DNS SAN for a name): the TLS client checks it.
 *
 * <p>The CA must sign nothing but this cluster's members: every certificate it signed opens the
 * Raft port of every member.
 */
public final class ClusterCertificates {
    /** File names of the layout {@code certs} writes and the documentation names. */
    public static final String CA_CERT = "ca.crt";
    public static final String CA_KEY = "ca.key";
    public static final String NODE_CERT = "node.crt";
    public static final String NODE_KEY = "node.key";
    public static final Duration CA_VALIDITY = Duration.ofDays(3650);
    /** Clocks of different hosts disagree a little: certificates are valid from an hour ago. */
    private static final Duration BACKDATE = Duration.ofHours(1);
    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
    private static final SecureRandom RANDOM = new SecureRandom();

    private ClusterCertificates() {
    }

    /** A key pair and its certificate. */
    public record Signed(PrivateKey key, X509Certificate certificate) {}

    /** A new self-signed CA whose name carries {@code label} and a random suffix (two clusters never share a name). */
    public static Signed newAuthority(String label, Duration validity) {
        KeyPair pair = newKeyPair();
        X500Name name = new X500NameBuilder(BCStyle.INSTANCE)
                .addRDN(BCStyle.O, "seckill counter-store")
                .addRDN(BCStyle.CN, label + " CA " + Long.toHexString(RANDOM.nextLong() >>> 1))
                .build();
        try {
            JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
            X509v3CertificateBuilder b = builder(name, name, pair, validity)
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(0))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign))
                    .addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(pair.getPublic()));
            return new Signed(pair.getPrivate(), sign(b, pair.getPrivate()));
        } catch (CertIOException | GeneralSecurityException e) {
            throw new IllegalStateException("cannot make a CA certificate", e);
        }
    }

    /**
     * A member certificate for node {@code nodeId}, signed by {@code ca}, naming every host in
     * {@code hosts} (IP addresses and DNS names, at least one).
     */
    public static Signed issue(Signed ca, String nodeId, List<String> hosts, Duration validity) {
        if (hosts.isEmpty()) {
            throw new IllegalArgumentException("node " + nodeId + " needs at least one host name or address");
        }
        KeyPair pair = newKeyPair();
        X500Name subject = new X500NameBuilder(BCStyle.INSTANCE)
                .addRDN(BCStyle.O, "seckill counter-store")
                .addRDN(BCStyle.CN, nodeId)
                .build();
        X500Name issuer = X500Name.getInstance(ca.certificate().getSubjectX500Principal().getEncoded());
        Set<GeneralName> names = new LinkedHashSet<>();
        for (String host : hosts) {
            names.add(generalName(host));
        }
        try {
            JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
            X509v3CertificateBuilder b = builder(issuer, subject, pair, validity)
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature))
                    .addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(
                            new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth}))
                    .addExtension(Extension.subjectAlternativeName, false,
                            new GeneralNames(names.toArray(new GeneralName[0])))
                    .addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(pair.getPublic()))
                    .addExtension(Extension.authorityKeyIdentifier, false,
                            ext.createAuthorityKeyIdentifier(ca.certificate()));
            return new Signed(pair.getPrivate(), sign(b, ca.key()));
        } catch (CertIOException | GeneralSecurityException e) {
            throw new IllegalStateException("cannot make a certificate for " + nodeId, e);
        }
    }

    /** The TLS material of a member, in memory: its certificate and key, trusting {@code ca}. */
    public static RaftTls tls(Signed node, Signed ca) {
        return RaftTls.of(node.key(), List.of(node.certificate()), List.of(ca.certificate()));
    }

    /** Reads the CA that {@link #writeAuthority} wrote into {@code dir}, or null if there is none. */
    public static Signed readAuthority(Path dir) throws IOException {
        Path cert = dir.resolve(CA_CERT);
        Path key = dir.resolve(CA_KEY);
        if (!Files.exists(cert) && !Files.exists(key)) {
            return null;
        }
        return new Signed(PemFiles.privateKey(key, null), PemFiles.certificates(cert).get(0));
    }

    /** {@code dir/ca.crt} and {@code dir/ca.key} (the key readable by its owner only). */
    public static void writeAuthority(Path dir, Signed ca) throws IOException {
        PemFiles.writePrivateKey(dir.resolve(CA_KEY), ca.key());
        PemFiles.writeCertificates(dir.resolve(CA_CERT), List.of(ca.certificate()));
    }

    /**
     * A member's directory: {@code node.crt}, {@code node.key} (owner only) and {@code ca.crt}, all
     * a node needs and nothing more (the CA's key stays where it was made).
     */
    public static void writeNode(Path dir, Signed node, Signed ca) throws IOException {
        PemFiles.writePrivateKey(dir.resolve(NODE_KEY), node.key());
        PemFiles.writeCertificates(dir.resolve(NODE_CERT), List.of(node.certificate()));
        PemFiles.writeCertificates(dir.resolve(CA_CERT), List.of(ca.certificate()));
    }

    /** The TLS material {@link #writeNode} wrote into {@code dir}, loaded as a node loads it. */
    public static RaftTls readNode(Path dir) {
        return RaftTls.load(dir.resolve(NODE_CERT), dir.resolve(NODE_KEY), dir.resolve(CA_CERT), null);
    }

    private static GeneralName generalName(String host) {
        String h = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        if (IPV4.matcher(h).matches() || h.contains(":")) {
            try {
                // a literal: no lookup happens
                return new GeneralName(GeneralName.iPAddress,
                        new DEROctetString(InetAddress.getByName(h).getAddress()));
            } catch (IOException e) {
                throw new IllegalArgumentException("'" + host + "' is not an IP address", e);
            }
        }
        if (h.isEmpty() || !h.matches("[A-Za-z0-9*]([A-Za-z0-9.*-]*[A-Za-z0-9])?")) {
            throw new IllegalArgumentException("'" + host + "' is neither an IP address nor a DNS name");
        }
        return new GeneralName(GeneralName.dNSName, h);
    }

    private static X509v3CertificateBuilder builder(X500Name issuer, X500Name subject, KeyPair pair, Duration validity) {
        Instant now = Instant.now();
        return new JcaX509v3CertificateBuilder(issuer, new BigInteger(127, RANDOM).add(BigInteger.ONE),
                Date.from(now.minus(BACKDATE)), Date.from(now.plus(validity)), subject, pair.getPublic());
    }

    private static X509Certificate sign(X509v3CertificateBuilder b, PrivateKey issuerKey) throws GeneralSecurityException {
        try {
            return new JcaX509CertificateConverter().getCertificate(
                    b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(issuerKey)));
        } catch (OperatorCreationException e) {
            throw new GeneralSecurityException(e);
        }
    }

    private static KeyPair newKeyPair() {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
            return g.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("EC P-256 keys are not available in this JVM", e);
        }
    }
}
