package dev.cellar.server.tls;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Self-signed certificates for the TLS tests, made with the JDK's own {@code keytool} (no openssl
 * needed) and written as the PEM files an administrator gives Cellar: the certificate, and the key
 * in PKCS#8 ({@code getEncoded()} of a private key is PKCS#8).
 */
public final class KeytoolCertificates {
    private static final String STORE_PASSWORD = "keytool-store";

    private KeytoolCertificates() {
    }

    /** A certificate and its key, in memory and as PEM files. */
    public record Made(X509Certificate certificate, PrivateKey key, Path certificateFile, Path keyFile) {
    }

    /**
     * Makes {@code <name>.crt.pem} and {@code <name>.key.pem} in {@code directory}.
     *
     * @param algorithm {@code RSA} or {@code EC}
     * @param subjectAltName keytool's form, e.g. {@code ip:127.0.0.1,dns:localhost}
     */
    public static Made make(Path directory, String name, String algorithm, String subjectAltName)
            throws IOException, GeneralSecurityException, InterruptedException {
        Path store = directory.resolve(name + ".p12");
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "keytool")
                        .toString(), "-genkeypair", "-storetype", "PKCS12", "-keystore", store.toString(),
                "-storepass", STORE_PASSWORD, "-alias", name, "-dname", "CN=" + name, "-validity", "2",
                "-ext", "san=" + subjectAltName, "-keyalg", algorithm));
        command.addAll(algorithm.equals("EC") ? List.of("-groupname", "secp256r1") : List.of("-keysize", "2048"));
        Process keytool = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(keytool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!keytool.waitFor(60, TimeUnit.SECONDS) || keytool.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " failed: " + output);
        }
        KeyStore keyStore = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(store)) {
            keyStore.load(in, STORE_PASSWORD.toCharArray());
        }
        X509Certificate certificate = (X509Certificate) keyStore.getCertificate(name);
        PrivateKey key = (PrivateKey) keyStore.getKey(name, STORE_PASSWORD.toCharArray());
        Path certificateFile = Files.writeString(directory.resolve(name + ".crt.pem"),
                pem("CERTIFICATE", certificate.getEncoded()), StandardCharsets.US_ASCII);
        Path keyFile = Files.writeString(directory.resolve(name + ".key.pem"), pem("PRIVATE KEY", key.getEncoded()),
                StandardCharsets.US_ASCII);
        return new Made(certificate, key, certificateFile, keyFile);
    }

    /** A PEM block as OpenSSL writes it: base64 in lines of 64 characters. */
    public static String pem(String label, byte[] der) {
        String body = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der);
        return "-----BEGIN " + label + "-----\n" + body + "\n-----END " + label + "-----\n";
    }
}
