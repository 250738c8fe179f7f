package dev.cellar.server.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cellar.restore.postgres.FreePort;
import dev.cellar.server.cli.BackupCtl;
import dev.cellar.server.daemon.ServerProcess;
import dev.cellar.server.tls.KeytoolCertificates;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code backupctl serve} with {@code server.tls}, as a child process and without clusters (so
 * without PostgreSQL): {@code /health} answers over HTTPS; {@code backupctl} works with
 * {@code --ca-file} and, trusting the configured certificate by itself, with {@code --config}; a
 * backupctl that does not trust the certificate, asks for a host the certificate does not name, or
 * speaks plain HTTP to the port fails with one clear error and exit 30 while the server keeps
 * serving. A key that is not the certificate's stops the start with exit 20 before anything runs.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class AdminApiTlsIT {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String TOKEN = "tls-token-8c41d0e2";
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private final List<Process> started = new ArrayList<>();

    record Outcome(int exitCode, String out, String err) {
    }

    @AfterEach
    void stopServers() {
        started.forEach(Process::destroyForcibly);
    }

    @Test
    void servesHttpsToClientsThatTrustTheCertificateAndRefusesTheOthersClearly() throws Exception {
        KeytoolCertificates.Made made = KeytoolCertificates.make(dir, "cellar", "EC", "ip:127.0.0.1");
        Path tokenFile = Files.writeString(dir.resolve("token"), TOKEN + "\n");
        int port = FreePort.onLoopback();
        // Relative names: taken from the configuration file's directory.
        Path config = Files.writeString(dir.resolve("cellar.yaml"), """
                repository:
                  path: %s
                server:
                  listen: 127.0.0.1:%d
                  token_file: token
                  tls:
                    certificate_file: cellar.crt.pem
                    key_file: cellar.key.pem
                clusters: []
                """.formatted(dir.resolve("repo"), port));
        Path log = dir.resolve("serve.log");
        Process server = serve(config, log);
        String https = "https://127.0.0.1:" + port;
        HttpClient trusting = HttpClient.newBuilder().sslContext(trustingOnly(made)).build();

        try {
            Awaitility.await("/health over https").atMost(WAIT).ignoreExceptions()
                    .failFast("the server ended", () -> !server.isAlive())
                    .until(() -> health(trusting, https) == 200);
        } catch (RuntimeException e) {
            throw new AssertionError(e.getMessage() + "\nserver log:\n" + Files.readString(log), e);
        }
        assertThat(Files.readString(log)).contains("admin API listening on " + https);

        Outcome withCaFile = backupctl("--server", https, "--token-file", tokenFile.toString(), "--ca-file",
                made.certificateFile().toString(), "status", "--json");
        assertThat(withCaFile.exitCode()).as(withCaFile.err()).isZero();
        JsonNode status = JSON.readTree(withCaFile.out());
        assertThat(status.get("clusters").isArray()).as(withCaFile.out()).isTrue();

        Outcome withConfig = backupctl("--config", config.toString(), "status", "--json");
        assertThat(withConfig.exitCode()).as(withConfig.err()).isZero();
        assertThat(JSON.readTree(withConfig.out()).get("clusters").isArray()).isTrue();

        Outcome untrusted = backupctl("--server", https, "--token-file", tokenFile.toString(), "status", "--json");
        assertThat(untrusted.exitCode()).isEqualTo(30);
        assertThat(untrusted.out()).isEmpty();
        assertThat(untrusted.err()).startsWith("ERROR: [030]: the Cellar server at " + https
                        + " presented a certificate this backupctl does not trust (")
                .contains("\nHINT: give its CA, or its own certificate when it is self-signed, with --ca-file FILE");
        assertClean(untrusted);

        Outcome otherHost = backupctl("--server", "https://localhost:" + port, "--token-file", tokenFile.toString(),
                "--ca-file", made.certificateFile().toString(), "status");
        assertThat(otherHost.exitCode()).isEqualTo(30);
        assertThat(otherHost.err()).startsWith("ERROR: [030]: the certificate of the Cellar server at"
                + " https://localhost:" + port + " was refused: No name matching localhost found\nHINT: the certificate must list the host");
        assertClean(otherHost);

        Outcome plain = backupctl("--server", "http://127.0.0.1:" + port, "--token-file", tokenFile.toString(),
                "status");
        assertThat(plain.exitCode()).isEqualTo(30);
        assertThat(plain.err()).startsWith("ERROR: [030]: the Cellar server at http://127.0.0.1:" + port
                + " did not answer GET /api/v1/status: ")
                .endsWith("HINT: check that backupctl serve is running; a server with server.tls speaks https://"
                        + " only\n");
        assertClean(plain);

        assertThat(health(trusting, https)).as("still serving").isEqualTo(200);
        server.destroy();
        assertThat(server.waitFor(60, TimeUnit.SECONDS)).as("stopped on SIGTERM").isTrue();
        assertThat(Files.readString(log)).doesNotContain(TOKEN);
    }

    @Test
    void aKeyThatIsNotTheCertificatesStopsTheStartBeforeAnythingRuns() throws Exception {
        KeytoolCertificates.Made server = KeytoolCertificates.make(dir, "server", "RSA", "ip:127.0.0.1");
        KeytoolCertificates.Made other = KeytoolCertificates.make(dir, "other", "RSA", "ip:127.0.0.1");
        Path repository = dir.resolve("repo");
        Path config = Files.writeString(dir.resolve("cellar.yaml"), """
                repository:
                  path: %s
                server:
                  listen: 127.0.0.1:%d
                  tls: {certificate_file: %s, key_file: %s}
                """.formatted(repository, FreePort.onLoopback(), server.certificateFile(), other.keyFile()));
        Path log = dir.resolve("serve.log");

        Process process = serve(config, log);

        assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("ended").isTrue();
        String output = Files.readString(log);
        assertThat(process.exitValue()).as(output).isEqualTo(20);
        assertThat(output).contains("ERROR: [020]: server.tls.key_file " + other.keyFile() + " is not the private"
                        + " key of the first certificate in server.tls.certificate_file " + server.certificateFile()
                        + " (CN=server)\nHINT: the certificate file must start with the server's own certificate")
                .doesNotContain("listening");
        assertThat(repository).as("not even the repository was touched").doesNotExist();
    }

    private Process serve(Path config, Path log) throws Exception {
        Process process = ServerProcess.start(config, log);
        started.add(process);
        return process;
    }

    /** A client built without Cellar's code: the JDK's trust manager over a key store holding the certificate. */
    private static SSLContext trustingOnly(KeytoolCertificates.Made made) throws Exception {
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        store.setCertificateEntry("cellar", made.certificate());
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(store);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, trust.getTrustManagers(), null);
        return context;
    }

    private static int health(HttpClient client, String base) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create(base + "/health")).timeout(Duration.ofSeconds(10))
                .build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    private static Outcome backupctl(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = BackupCtl.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new Outcome(code, out.toString(), err.toString());
    }

    /** One error and its hint, no stack trace. */
    private static void assertClean(Outcome outcome) {
        assertThat(outcome.err().lines()).as(outcome.err()).hasSize(2);
        assertThat(outcome.err()).doesNotContain("\tat ").doesNotContain("Exception in");
    }
}
