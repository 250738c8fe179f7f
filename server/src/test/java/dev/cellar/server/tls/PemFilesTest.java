package dev.cellar.server.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.cellar.core.CellarException;
import dev.cellar.core.ErrorCode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** What {@link PemFiles} reads, and how it refuses what it does not, with the command that fixes it. */
class PemFilesTest {
    private static final String KEY = "server.tls.key_file";
    private static final String CERTIFICATE = "server.tls.certificate_file";

    @TempDir
    static Path made;
    static KeytoolCertificates.Made rsa;
    static KeytoolCertificates.Made ec;

    @TempDir
    Path dir;

    @BeforeAll
    static void makeCertificates() throws Exception {
        rsa = KeytoolCertificates.make(made, "rsa", "RSA", "ip:127.0.0.1,dns:localhost");
        ec = KeytoolCertificates.make(made, "ec", "EC", "ip:127.0.0.1,dns:localhost");
    }

    @Test
    void readsAnRsaKeyAndItsCertificate() {
        PrivateKey key = PemFiles.privateKey(rsa.keyFile(), KEY);

        assertThat(key.getAlgorithm()).isEqualTo("RSA");
        assertThat(key.getEncoded()).isEqualTo(rsa.key().getEncoded());
        assertThat(PemFiles.certificates(rsa.certificateFile(), CERTIFICATE)).containsExactly(rsa.certificate());
    }

    @Test
    void readsAnEcKey() {
        PrivateKey key = PemFiles.privateKey(ec.keyFile(), KEY);

        assertThat(key.getAlgorithm()).isEqualTo("EC");
        assertThat(key.getEncoded()).isEqualTo(ec.key().getEncoded());
    }

    @Test
    void readsAChainInOrderAndIgnoresTextAroundTheBlocks() throws Exception {
        Path file = write("chain.pem", "Bag Attributes\n    friendlyName: rsa\nsubject=CN=rsa\n"
                + KeytoolCertificates.pem("CERTIFICATE", rsa.certificate().getEncoded()) + "# the next one\n"
                + KeytoolCertificates.pem("CERTIFICATE", ec.certificate().getEncoded()));

        assertThat(PemFiles.certificates(file, CERTIFICATE)).containsExactly(rsa.certificate(), ec.certificate());
    }

    @Test
    void oneFileMayHoldTheKeyAndTheCertificate() throws Exception {
        Path file = write("both.pem", Files.readString(ec.keyFile()) + Files.readString(ec.certificateFile()));

        assertThat(PemFiles.privateKey(file, KEY).getEncoded()).isEqualTo(ec.key().getEncoded());
        assertThat(PemFiles.certificates(file, CERTIFICATE)).containsExactly(ec.certificate());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "RSA PRIVATE KEY|an RSA key in the older PKCS#1 form",
        "EC PRIVATE KEY|an EC key in the older SEC 1 form",
        "ENCRYPTED PRIVATE KEY|an encrypted key, and the server cannot ask for its passphrase"})
    void refusesOtherKeyFormsWithTheOpensslCommandThatConvertsThem(String label, String what) throws Exception {
        // Only the label decides: the block's content is never parsed.
        Path file = write("legacy.key", KeytoolCertificates.pem(label, rsa.key().getEncoded()));

        CellarException e = failure(() -> PemFiles.privateKey(file, KEY));

        assertThat(e.getMessage()).isEqualTo("cannot use server.tls.key_file " + file + ": it holds " + what
                + " (BEGIN " + label + "); Cellar reads unencrypted PKCS#8 keys (BEGIN PRIVATE KEY)");
        assertThat(e.hint()).hasValue("convert it (keep the new file readable only by the server's user), then set"
                + " server.tls.key_file to the new file: openssl pkcs8 -topk8 -nocrypt -in " + file + " -out "
                + dir.resolve("legacy.pkcs8.key"));
    }

    @Test
    void quotesPathsInTheCommandForTheShell() throws Exception {
        Path file = write("it's a key.pem", KeytoolCertificates.pem("RSA PRIVATE KEY", new byte[] {1}));

        assertThat(failure(() -> PemFiles.privateKey(file, KEY)).hint().orElseThrow()).endsWith(
                "-in '" + dir + "/it'\\''s a key.pem' -out '" + dir + "/it'\\''s a key.pkcs8.pem'");
    }

    @Test
    void refusesGarbageInAKeyBlock() throws Exception {
        Path file = write("garbage.pem", KeytoolCertificates.pem("PRIVATE KEY", ascii("not a key")));

        CellarException e = failure(() -> PemFiles.privateKey(file, KEY));

        assertThat(e.getMessage()).isEqualTo("cannot use server.tls.key_file " + file
                + ": its PRIVATE KEY block is not an RSA or EC key");
        assertThat(e.hint()).hasValue("see what it holds with: openssl pkey -noout -text -in " + file);
    }

    @Test
    void refusesAFileWithoutBlocks() throws Exception {
        Path file = write("notes.txt", "a certificate will go here\n");

        assertThat(failure(() -> PemFiles.privateKey(file, KEY)).getMessage()).isEqualTo(
                "cannot use server.tls.key_file " + file + ": it holds no -----BEGIN PRIVATE KEY----- block");
        CellarException noCertificate = failure(() -> PemFiles.certificates(file, "--ca-file"));
        assertThat(noCertificate.getMessage()).isEqualTo(
                "cannot use --ca-file " + file + ": it holds no -----BEGIN CERTIFICATE----- block");
        assertThat(noCertificate.hint()).hasValue("give the certificate in PEM form; a DER file converts with:"
                + " openssl x509 -inform der -in " + file + " -out " + dir.resolve("notes.pem"));
    }

    @Test
    void refusesAMalformedCertificateATruncatedBlockAndTwoKeys() throws Exception {
        Path malformed = write("bad.crt", KeytoolCertificates.pem("CERTIFICATE", ascii("not DER")));
        Path truncated = write("cut.pem", "-----BEGIN CERTIFICATE-----\nMIIB\n");
        Path twoKeys = write("two.pem", Files.readString(rsa.keyFile()) + Files.readString(ec.keyFile()));

        assertThat(failure(() -> PemFiles.certificates(malformed, CERTIFICATE)).getMessage())
                .startsWith("cannot use server.tls.certificate_file " + malformed
                        + ": it holds a malformed certificate: ");
        assertThat(failure(() -> PemFiles.certificates(truncated, CERTIFICATE)).getMessage())
                .isEqualTo("cannot use server.tls.certificate_file " + truncated + ": its -----BEGIN CERTIFICATE-----"
                        + " block has no -----END CERTIFICATE----- line");
        assertThat(failure(() -> PemFiles.privateKey(twoKeys, KEY)).getMessage())
                .isEqualTo("cannot use server.tls.key_file " + twoKeys + ": it holds 2 private keys");
    }

    @Test
    void aFileThatCannotBeReadIsNamed() {
        Path missing = dir.resolve("absent.pem");

        CellarException e = failure(() -> PemFiles.certificates(missing, CERTIFICATE));

        assertThat(e.getMessage()).isEqualTo("cannot use server.tls.certificate_file " + missing
                + ": cannot read it: no such file");
        assertThat(e.hint()).hasValue("check the path and that the user running Cellar may read the file");
    }

    private Path write(String name, String text) throws Exception {
        return Files.writeString(dir.resolve(name), text, StandardCharsets.US_ASCII);
    }

    private static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }

    private static CellarException failure(Runnable read) {
        CellarException e = catchThrowableOfType(CellarException.class, read::run);
        assertThat(e).as("refused").isNotNull();
        assertThat(e.code()).isEqualTo(ErrorCode.CONFIG_INVALID);
        return e;
    }
}
