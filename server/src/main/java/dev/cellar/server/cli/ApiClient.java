package dev.cellar.server.cli;

import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonNode;
import dev.cellar.config.CellarConfig;
import dev.cellar.config.ConfigLoader;
import dev.cellar.config.ListenAddress;
import dev.cellar.config.TlsSettings;
import dev.cellar.core.CellarException;
import dev.cellar.core.ErrorCode;
import dev.cellar.server.tls.HttpsContexts;
import dev.cellar.server.view.ViewJson;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Optional;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;

/**
 * Talks to a running server's admin API: {@code --server URL --token-file F}, or the address and
 * token of {@code --config F} (https:// when it sets {@code server.tls}, trusting its certificate
 * file). {@code --ca-file} chooses what an https:// server's certificate is checked against; host
 * name verification is always on. Error answers become {@link CellarException}s with the server's
 * message, code and hint, so the CLI prints them as if it had failed itself.
 */
final class ApiClient {
    private final URI base;
    private final String token;
    private final HttpClient http;

    /** @param trust what an https:// server's certificate is checked against; empty: the JDK's trust store */
    ApiClient(URI base, String token, Optional<SSLContext> trust) {
        this.base = base;
        this.token = token;
        HttpClient.Builder builder = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5));
        trust.ifPresent(builder::sslContext);
        this.http = builder.build();
    }

    /** The server named by the command line; fails when neither --server nor --config is given. */
    static ApiClient from(RepositoryOptions options) {
        RepositoryOptions.Source source = options.source;
        if (source != null && source.server != null) {
            if (options.tokenFile == null) {
                throw new IllegalArgumentException("--server needs --token-file FILE (the file of server.token_file)");
            }
            if (!"http".equals(source.server.getScheme()) && !"https".equals(source.server.getScheme())) {
                throw new IllegalArgumentException("--server needs an http:// or https:// URL, e.g."
                        + " https://127.0.0.1:8432, not " + source.server);
            }
            return new ApiClient(source.server, readToken(options.tokenFile), caFile(options));
        }
        if (source == null || source.config == null) {
            throw new IllegalArgumentException("this command asks the running server: give --config FILE or --server"
                    + " URL --token-file FILE before the command");
        }
        CellarConfig config = ConfigLoader.load(source.config);
        String token = options.tokenFile != null ? readToken(options.tokenFile)
                : config.server().token().map(t -> t.reveal()).orElseThrow(() -> new CellarException(
                        ErrorCode.CONFIG_INVALID, "the configuration " + source.config + " sets no server.token",
                        "set server.token_file; the server refuses the API without a token"));
        Optional<TlsSettings> tls = config.server().tls();
        // The common case on one host: a self-signed certificate, which the configuration names.
        Optional<SSLContext> trust = options.caFile != null ? caFile(options)
                : tls.map(t -> HttpsContexts.trusting(t.certificateFile(), "server.tls.certificate_file"));
        String scheme = tls.isPresent() ? "https://" : "http://";
        return new ApiClient(URI.create(scheme + reachable(config.server().listen())), token, trust);
    }

    private static Optional<SSLContext> caFile(RepositoryOptions options) {
        return Optional.ofNullable(options.caFile).map(file -> HttpsContexts.trusting(file, "--ca-file"));
    }

    /** A wildcard listen address is reached through the loopback interface. */
    static String reachable(ListenAddress listen) {
        String host = switch (listen.host()) {
            case "0.0.0.0" -> "127.0.0.1";
            case "::", "0:0:0:0:0:0:0:0" -> "[::1]";
            default -> listen.host().contains(":") ? "[" + listen.host() + "]" : listen.host();
        };
        return host + ":" + listen.port();
    }

    private static String readToken(Path file) {
        try {
            String text = Files.readString(file, StandardCharsets.UTF_8);
            return text.endsWith("\n") ? text.substring(0, text.length() - (text.endsWith("\r\n") ? 2 : 1)) : text;
        } catch (IOException e) {
            throw new CellarException(ErrorCode.SECRET_UNAVAILABLE, "cannot read the token file " + file + ": " + e,
                    "check the path and its permissions");
        }
    }

    URI base() {
        return base;
    }

    <T> T get(String path, Class<T> type) {
        return send("GET", path, null, ViewJson.MAPPER.constructType(type));
    }

    <T> T get(String path, JavaType type) {
        return send("GET", path, null, type);
    }

    <T> T send(String method, String path, Object body, Class<T> type) {
        return send(method, path, body, ViewJson.MAPPER.constructType(type));
    }

    String getText(String path) {
        HttpResponse<byte[]> response = exchange("GET", path, null);
        return new String(response.body(), StandardCharsets.UTF_8);
    }

    /**
     * A GET whose answer is streamed to the caller (a WAL file); close it. Error answers throw as
     * for every other request, with the server's code.
     */
    Download download(String path) {
        HttpResponse<InputStream> response = exchange("GET", path, null, HttpResponse.BodyHandlers.ofInputStream());
        return new Download(response.headers(), response.body());
    }

    /** A streamed answer: its headers and body. */
    record Download(HttpHeaders headers, InputStream body) implements AutoCloseable {
        @Override
        public void close() throws IOException {
            body.close();
        }
    }

    private <T> T send(String method, String path, Object body, JavaType type) {
        HttpResponse<byte[]> response = exchange(method, path, body);
        try {
            return ViewJson.MAPPER.readValue(response.body(), type);
        } catch (IOException e) {
            throw new CellarException(ErrorCode.INTERNAL, "the server at " + base + " answered " + method + " " + path
                    + " with JSON this backupctl cannot read: " + e.getMessage(), "use the backupctl of the server's"
                    + " version");
        }
    }

    private HttpResponse<byte[]> exchange(String method, String path, Object body) {
        return exchange(method, path, body, HttpResponse.BodyHandlers.ofByteArray());
    }

    private <B> HttpResponse<B> exchange(String method, String path, Object body, HttpResponse.BodyHandler<B> handler) {
        HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve(path))
                .timeout(Duration.ofMinutes(2))
                .header("Authorization", "Bearer " + token)
                .header("Accept", "application/json");
        if (body != null) {
            request.header("Content-Type", "application/json")
                    .method(method, HttpRequest.BodyPublishers.ofString(ViewJson.write(body)));
        } else {
            request.method(method, HttpRequest.BodyPublishers.noBody());
        }
        HttpResponse<B> response;
        try {
            response = http.send(request.build(), handler);
        } catch (ConnectException e) {
            throw new ServerUnreachable(base);
        } catch (SSLException e) {
            throw TlsFailures.describe(e, base);
        } catch (IOException e) {
            throw new CellarException(ErrorCode.CONNECTION_FAILED, "the Cellar server at " + base + " did not answer "
                    + method + " " + path + ": " + e, "check that backupctl serve is running"
                    + ("http".equals(base.getScheme()) ? "; a server with server.tls speaks https:// only" : ""));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CellarException(ErrorCode.INTERNAL, "interrupted while waiting for the server at " + base);
        }
        if (response.statusCode() >= 400) {
            throw failure(response.statusCode(), errorBody(response.body()));
        }
        return response;
    }

    private static byte[] errorBody(Object body) {
        if (body instanceof InputStream in) {
            try (in) {
                return in.readNBytes(64 * 1024);
            } catch (IOException e) {
                return new byte[0];
            }
        }
        return (byte[]) body;
    }

    private CellarException failure(int status, byte[] body) {
        try {
            JsonNode error = ViewJson.MAPPER.readTree(body);
            ErrorCode code = errorCode(error.path("code").asInt(ErrorCode.INTERNAL.number()));
            String hint = error.path("hint").isTextual() ? error.path("hint").asText() : null;
            return new CellarException(code, error.path("error").asText("HTTP " + status), hint);
        } catch (IOException | RuntimeException e) {
            return new CellarException(ErrorCode.INTERNAL, "the server at " + base + " answered HTTP "
                    + status, null);
        }
    }

    /** The code of a number the server sent; {@link ErrorCode#INTERNAL} for one this backupctl does not know. */
    static ErrorCode errorCode(int number) {
        return Arrays.stream(ErrorCode.values()).filter(c -> c.number() == number).findFirst()
                .orElse(ErrorCode.INTERNAL);
    }

    /** Nothing listens at the server's address. */
    static final class ServerUnreachable extends CellarException {
        private static final long serialVersionUID = 1L;

        ServerUnreachable(URI base) {
            super(ErrorCode.CONNECTION_FAILED, "cannot reach the Cellar server at " + base,
                    "start it (backupctl --config FILE serve), or read a repository without a server:"
                            + " backupctl --repository PATH ...");
        }
    }
}
