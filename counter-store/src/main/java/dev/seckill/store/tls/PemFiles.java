package dev.seckill.store.tls;

import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.openssl.PEMEncryptedKeyPair;
import org.bouncycastle.openssl.PEMException;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;

import javax.crypto.Cipher;
import javax.crypto.EncryptedPrivateKeyInfo;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import java.io.IOException;
import java.io.Reader;
import java.io.StringWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.AlgorithmParameters;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;

/**
 * PEM files as OpenSSL and the {@code certs} command write them: certificates ({@code CERTIFICATE}
 * blocks, several in a chain or a trust file) and one private key in any of OpenSSL's forms
 * (PKCS#8 {@code PRIVATE KEY}, encrypted PKCS#8 {@code ENCRYPTED PRIVATE KEY}, and the older
 * unencrypted {@code RSA/EC PRIVATE KEY}). Every failure names the file and says what is wrong
 * with it.
 */
public final class PemFiles {
    private PemFiles() {
    }

    /** Every certificate in the file, in order; at least one. */
    public static List<X509Certificate> certificates(Path file) throws IOException {
        List<X509Certificate> out = new ArrayList<>();
        JcaX509CertificateConverter converter = new JcaX509CertificateConverter();
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.US_ASCII); PEMParser pem = new PEMParser(r)) {
            for (Object o = pem.readObject(); o != null; o = pem.readObject()) {
                if (!(o instanceof X509CertificateHolder holder)) {
                    throw new IOException(file + ": holds a " + o.getClass().getSimpleName()
                            + " where only CERTIFICATE blocks belong");
                }
                out.add(converter.getCertificate(holder));
            }
        } catch (CertificateException | PEMException e) {
            throw new IOException(file + ": not a readable PEM certificate file: " + e.getMessage(), e);
        }
        if (out.isEmpty()) {
            throw new IOException(file + ": no CERTIFICATE block in it");
        }
        return out;
    }

    /**
     * The one private key in the file.
     *
     * @param password the key's password if it is encrypted, else null (an encrypted key without
     *                 one is refused with a message saying so)
     */
    public static PrivateKey privateKey(Path file, char[] password) throws IOException {
        Object o;
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.US_ASCII); PEMParser pem = new PEMParser(r)) {
            o = pem.readObject();
            if (o != null && pem.readObject() != null) {
                throw new IOException(file + ": holds more than one PEM block; a key file holds the key alone");
            }
        } catch (PEMException e) {
            throw new IOException(file + ": not a readable PEM private key: " + e.getMessage(), e);
        }
        JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
        try {
            if (o instanceof PrivateKeyInfo info) {
                return converter.getPrivateKey(info);
            }
            if (o instanceof PEMKeyPair pair) {
                return converter.getKeyPair(pair).getPrivate();
            }
            if (o instanceof PKCS8EncryptedPrivateKeyInfo encrypted) {
                requirePassword(file, password);
                return converter.getPrivateKey(decrypt(file, encrypted, password));
            }
        } catch (PEMException e) {
            throw new IOException(file + ": the private key cannot be used: " + e.getMessage(), e);
        }
        if (o instanceof PEMEncryptedKeyPair) {
            throw new IOException(file + ": a key encrypted in OpenSSL's old format (Proc-Type: 4,ENCRYPTED); "
                    + "convert it to encrypted PKCS#8: openssl pkcs8 -topk8 -v2 aes-256-cbc -in OLD -out NEW");
        }
        throw new IOException(file + ": no private key in it" + (o == null ? "" : " (found a "
                + o.getClass().getSimpleName() + ")"));
    }

    /**
     * Decrypts PKCS#8 with the JDK's own ciphers (PBES2: PBKDF2 with AES, as {@code openssl pkcs8
     * -topk8} writes it; the older PBES1 schemes too).
     */
    private static PrivateKeyInfo decrypt(Path file, PKCS8EncryptedPrivateKeyInfo encrypted, char[] password)
            throws IOException {
        try {
            EncryptedPrivateKeyInfo info = new EncryptedPrivateKeyInfo(encrypted.getEncoded());
            AlgorithmParameters params = info.getAlgParameters();
            // PBES2's parameters name the whole scheme, e.g. PBEWithHmacSHA256AndAES_256
            String scheme = params != null ? params.toString() : info.getAlgName();
            SecretKeyFactory keys = SecretKeyFactory.getInstance(scheme);
            Cipher cipher = Cipher.getInstance(scheme);
            cipher.init(Cipher.DECRYPT_MODE, keys.generateSecret(new PBEKeySpec(password)), params);
            return PrivateKeyInfo.getInstance(info.getKeySpec(cipher).getEncoded());
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new IOException(file + ": cannot decrypt the private key (wrong password?): " + e.getMessage(), e);
        }
    }

    private static void requirePassword(Path file, char[] password) throws IOException {
        if (password == null) {
            throw new IOException(file + ": the private key is encrypted and no password was given");
        }
    }

    /** Writes certificates as PEM (replacing the file as a whole). */
    public static void writeCertificates(Path file, List<X509Certificate> certificates) throws IOException {
        StringWriter text = new StringWriter();
        try (JcaPEMWriter w = new JcaPEMWriter(text)) {
            for (X509Certificate c : certificates) {
                w.writeObject(c);
            }
        }
        writeAtomically(file, text.toString(), false);
    }

    /** Writes a private key as unencrypted PKCS#8 PEM ({@code PRIVATE KEY}), readable by its owner only. */
    public static void writePrivateKey(Path file, PrivateKey key) throws IOException {
        StringWriter text = new StringWriter();
        try (JcaPEMWriter w = new JcaPEMWriter(text)) {
            w.writeObject(new JcaPKCS8Generator(key, null));
        }
        writeAtomically(file, text.toString(), true);
    }

    private static void writeAtomically(Path file, String text, boolean secret) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, file.getFileName().toString(), ".tmp");
        try {
            setMode(tmp, secret ? "rw-------" : "rw-r--r--");
            try (Writer w = Files.newBufferedWriter(tmp, StandardCharsets.US_ASCII)) {
                w.write(text);
            }
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private static void setMode(Path file, String mode) throws IOException {
        try {
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString(mode));
        } catch (UnsupportedOperationException e) {
            // not a POSIX file system: the directory's own protection applies
        }
    }
}
