package dev.cellar.walreceiver.connection;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Certificates for the TLS tests, made with the {@code openssl} command line as an administrator
 * would: a test CA, a server certificate for 127.0.0.1 (IP SAN only), an unrelated CA, and client
 * certificates for {@code cert} authentication (EC key in PKCS#8, RSA key in PKCS#1 form).
 */
final class TestCertificates {
    static final String CLIENT_USER = "cellar_cert";

    final Path directory;

    private TestCertificates(Path directory) {
        this.directory = directory;
    }

    static TestCertificates create(Path directory) {
        TestCertificates c = new TestCertificates(directory);
        c.selfSignedCa("ca", "Cellar Test CA");
        c.selfSignedCa("other-ca", "Somebody Else's CA");
        c.ecKeyAndRequest("server", "127.0.0.1");
        c.sign("server", "ca", "subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n");
        c.ecKeyAndRequest("client", CLIENT_USER);
        c.sign("client", "ca", "extendedKeyUsage=clientAuth\n");
        c.openssl("genrsa", "-traditional", "-out", "client-rsa.key", "2048");
        c.openssl("req", "-new", "-key", "client-rsa.key", "-out", "client-rsa.csr", "-subj", "/CN=" + CLIENT_USER);
        c.sign("client-rsa", "ca", "extendedKeyUsage=clientAuth\n");
        return c;
    }

    Path file(String name) {
        return directory.resolve(name);
    }

    String text(String name) {
        try {
            return Files.readString(file(name), StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void selfSignedCa(String name, String commonName) {
        openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                "-keyout", name + ".key", "-out", name + ".crt", "-days", "2", "-subj", "/CN=" + commonName,
                "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign");
    }

    private void ecKeyAndRequest(String name, String commonName) {
        openssl("req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                "-keyout", name + ".key", "-out", name + ".csr", "-subj", "/CN=" + commonName);
    }

    private void sign(String name, String ca, String extensions) {
        try {
            Files.writeString(file(name + ".ext"), extensions, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        openssl("x509", "-req", "-in", name + ".csr", "-CA", ca + ".crt", "-CAkey", ca + ".key", "-CAcreateserial",
                "-out", name + ".crt", "-days", "2", "-extfile", name + ".ext");
    }

    private void openssl(String... arguments) {
        List<String> command = new ArrayList<>(List.of("openssl"));
        command.addAll(List.of(arguments));
        try {
            Process p = new ProcessBuilder(command).directory(directory.toFile()).redirectErrorStream(true).start();
            String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IllegalStateException(String.join(" ", command) + " failed: " + output);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
