package dev.cellar.server.api;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsParameters;
import com.sun.net.httpserver.HttpsServer;
import dev.cellar.config.ConfigException;
import dev.cellar.config.ListenAddress;
import dev.cellar.config.Secret;
import dev.cellar.core.CellarException;
import dev.cellar.core.ErrorCode;
import dev.cellar.server.daemon.ServerOperations;
import dev.cellar.server.metrics.CellarMetrics;
import dev.cellar.server.tls.HttpsContexts;
import dev.cellar.server.view.ViewJson;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;
import javax.net.ssl.SSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin HTTP API (DESIGN.md §7): JSON under {@code /api/v1/}, Prometheus text at
 * {@code /metrics}, and {@code /health} for container health checks; over HTTPS when
 * {@code server.tls} is set, the same in every other respect. Every request but
 * {@code /health} needs {@code Authorization: Bearer <server.token>}; without a configured token
 * only {@code /health} answers, so the API is never open by accident. One virtual thread per
 * request: a slow check (which connects to a PostgreSQL server) blocks nothing else.
 *
 * <p>Errors are JSON too: {@code {"error", "code", "name", "hint"}} with 400 for a bad request,
 * 401 without a valid token, 404 for an unknown cluster, backup or job, 409 when the state forbids
 * the request (a backup running, a kept backup), 422 when the operation failed, 500 for a bug.
 * Request bodies and the token never reach the log.
 */
public final class AdminApi implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(AdminApi.class);
    private static final int MAX_BODY = 64 * 1024;
    private static final int BACKLOG = 64;

    private final HttpServer server;
    private final ExecutorService executor;
    /** Replaced by a reload that changed server.token(_file): rotation without a restart. */
    private volatile Optional<BearerToken> token;
    private final Router router;
    private final Supplier<HealthReport> health;

    private AdminApi(HttpServer server, ExecutorService executor, Optional<BearerToken> token, Router router,
                     Supplier<HealthReport> health) {
        this.server = server;
        this.executor = executor;
        this.token = token;
        this.router = router;
        this.health = health;
    }

    /**
     * Listens on {@code listen} and serves, over HTTPS when {@code tls} is given (see
     * {@link HttpsContexts#server}), else over plain HTTP.
     *
     * @throws CellarException {@link ErrorCode#CONFIG_INVALID} when the address cannot be bound
     */
    public static AdminApi start(ListenAddress listen, Optional<SSLContext> tls, Optional<Secret> token,
                                 ServerOperations operations, CellarMetrics metrics, Supplier<HealthReport> health) {
        HttpServer server;
        try {
            server = create(new InetSocketAddress(listen.host(), listen.port()), tls);
        } catch (IOException e) {
            throw new CellarException(ErrorCode.CONFIG_INVALID, "cannot listen on " + listen + " (server.listen): "
                    + e.getMessage(), "choose a free port, or stop what uses it");
        }
        ExecutorService executor = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("api-", 0).factory());
        server.setExecutor(executor);
        AdminApi api = new AdminApi(server, executor, token.map(BearerToken::new), Routes.of(operations, metrics),
                health);
        server.createContext("/", api::handle);
        server.start();
        if (token.isEmpty()) {
            log.warn("server.token is not set: the admin API answers only /health; set server.token_file to use"
                    + " backupctl and /metrics");
        }
        log.info("admin API listening on {}://{}", tls.isPresent() ? "https" : "http", api.address());
        return api;
    }

    private static HttpServer create(InetSocketAddress address, Optional<SSLContext> tls) throws IOException {
        if (tls.isEmpty()) {
            return HttpServer.create(address, BACKLOG);
        }
        HttpsServer server = HttpsServer.create(address, BACKLOG);
        SSLContext context = tls.get();
        server.setHttpsConfigurator(new HttpsConfigurator(context) {
            @Override
            public void configure(HttpsParameters parameters) {
                parameters.setSSLParameters(HttpsContexts.serverParameters(context));
            }
        });
        return server;
    }

    /**
     * Takes a new token (a configuration reload after {@code server.token_file} was rotated): the
     * next request must carry it; requests already admitted finish. Without a token the API answers
     * only {@code /health} from now on.
     */
    public void token(Optional<Secret> token) {
        this.token = token.map(BearerToken::new);
        if (token.isEmpty()) {
            log.warn("server.token is no longer set: the admin API answers only /health until it is set again");
        }
    }

    /** The address actually bound (the port is chosen by the system when 0 was configured). */
    public String address() {
        InetSocketAddress bound = server.getAddress();
        return bound.getHostString() + ":" + bound.getPort();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try {
            serve(exchange);
        } finally {
            exchange.close();
        }
    }

    private void serve(HttpExchange exchange) throws IOException {
        try {
            String path = exchange.getRequestURI().getRawPath();
            String method = exchange.getRequestMethod();
            if (path.equals("/health")) {
                if (!method.equals("GET") && !method.equals("HEAD")) {
                    send(exchange, 405, error(ErrorCode.INVALID_VALUE, "use GET /health", null));
                    return;
                }
                HealthReport report = health.get();
                send(exchange, report.healthy() ? 200 : 503, report);
                return;
            }
            Optional<BearerToken> token = this.token; // read once: a reload may replace it meanwhile
            if (token.isEmpty()) {
                send(exchange, 403, error(ErrorCode.CONFIG_INVALID, "the admin API is disabled: the server has no"
                        + " token", "set server.token_file in the server's configuration, then send the server SIGHUP"
                        + " (or restart it)"));
                return;
            }
            if (!token.get().accepts(Optional.ofNullable(exchange.getRequestHeaders().getFirst("Authorization")))) {
                exchange.getResponseHeaders().add("WWW-Authenticate", "Bearer realm=\"cellar\"");
                send(exchange, 401, error(ErrorCode.CONFIG_INVALID, "missing or wrong bearer token",
                        "send Authorization: Bearer <the token of server.token_file>"));
                return;
            }
            Optional<Router.Match> match = router.match(method, path);
            if (match.isEmpty()) {
                boolean known = router.knowsPath(path);
                send(exchange, known ? 405 : 404, error(ErrorCode.INVALID_VALUE, (known ? "method " + method
                        + " not allowed on " : "no such endpoint: ") + path, "see docs/api.md"));
                return;
            }
            Request request = new Request(method, match.get().parameters(), query(exchange.getRequestURI()),
                    body(exchange));
            Object result = match.get().route().handler().handle(request);
            if (result instanceof Text text) {
                exchange.getResponseHeaders().add("Content-Type", text.contentType());
                byte[] bytes = text.body().getBytes(StandardCharsets.UTF_8);
                exchange.sendResponseHeaders(200, bytes.length);
                exchange.getResponseBody().write(bytes);
                return;
            }
            if (result instanceof Download download) {
                stream(exchange, download);
                return;
            }
            if (result instanceof Answer answer) {
                send(exchange, answer.status(), answer.body());
                return;
            }
            send(exchange, match.get().route().successStatus(), result);
        } catch (BadRequest e) {
            send(exchange, 400, error(ErrorCode.INVALID_VALUE, e.getMessage(), e.hint));
        } catch (dev.cellar.server.operations.NotFoundException e) {
            send(exchange, 404, error(e));
        } catch (dev.cellar.server.operations.ConflictException e) {
            send(exchange, 409, error(e));
        } catch (CellarException e) {
            send(exchange, e.code() == ErrorCode.INVALID_VALUE ? 400 : 422, error(e));
        } catch (RuntimeException e) {
            log.error("admin API: {} {} failed", exchange.getRequestMethod(), exchange.getRequestURI().getRawPath(), e);
            send(exchange, 500, error(ErrorCode.INTERNAL, "internal error: " + e, "report it with the server's log"));
        }
    }

    private static Map<String, String> query(URI uri) {
        Map<String, String> values = new LinkedHashMap<>();
        String raw = uri.getRawQuery();
        if (raw == null || raw.isEmpty()) {
            return values;
        }
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            String key = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            values.put(key, value);
        }
        return values;
    }

    private static byte[] body(HttpExchange exchange) throws IOException {
        try (InputStream in = exchange.getRequestBody()) {
            byte[] bytes = in.readNBytes(MAX_BODY + 1);
            if (bytes.length > MAX_BODY) {
                throw new BadRequest("request body larger than " + MAX_BODY + " bytes", null);
            }
            return bytes;
        }
    }

    private static Map<String, Object> error(CellarException e) {
        Map<String, Object> body = error(e.code(), e.getMessage(), e.hint().orElse(null));
        if (e instanceof ConfigException config) {
            body.put("problems", config.problems()); // a refused reload: each key, line and column
        }
        return body;
    }

    private static Map<String, Object> error(ErrorCode code, String message, String hint) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("error", message);
        body.put("code", code.number());
        body.put("name", code.name());
        body.put("hint", hint);
        return body;
    }

    private static void send(HttpExchange exchange, int status, Object body) throws IOException {
        byte[] bytes = (ViewJson.write(body) + "\n").getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.getResponseHeaders().set("Cache-Control", "no-store");
        if (exchange.getRequestMethod().equals("HEAD")) {
            exchange.sendResponseHeaders(status, -1);
            return;
        }
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    /**
     * Streams a download. Once the status is sent a failure can no longer become an error answer:
     * it is logged and the body ends short, which the client notices by the body's digest header.
     */
    private static void stream(HttpExchange exchange, Download download) throws IOException {
        try (InputStream in = download.content()) {
            exchange.getResponseHeaders().set("Content-Type", download.contentType());
            exchange.getResponseHeaders().set("Cache-Control", "no-store");
            download.headers().forEach((name, value) -> exchange.getResponseHeaders().set(name, value));
            exchange.sendResponseHeaders(200, 0);
            try (OutputStream out = exchange.getResponseBody()) {
                in.transferTo(out);
            } catch (IOException | RuntimeException e) {
                log.error("admin API: sending {} broke off: {}", exchange.getRequestURI().getRawPath(), e.getMessage());
            }
        }
    }

    /** Stops listening; requests in flight get up to 2 s to finish. */
    @Override
    public void close() {
        server.stop(2);
        executor.shutdownNow();
    }

    /** One request as a handler sees it. */
    record Request(String method, Map<String, String> parameters, Map<String, String> query, byte[] body) {
        String parameter(String name) {
            return parameters.get(name);
        }

        Optional<String> queryValue(String name) {
            return Optional.ofNullable(query.get(name)).filter(v -> !v.isEmpty());
        }
    }

    /** A non-JSON answer (the Prometheus exposition). */
    record Text(String contentType, String body) {
    }

    /** A binary answer streamed as it is read (a WAL file), with headers such as its digest; closed once sent. */
    record Download(String contentType, Map<String, String> headers, InputStream content) {
    }

    /** A JSON answer whose status depends on the request (202 for a started job, 200 for a dry run). */
    record Answer(int status, Object body) {
    }

    /** The request itself is wrong: 400. */
    static final class BadRequest extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final String hint;

        BadRequest(String message, String hint) {
            super(message);
            this.hint = hint;
        }
    }

    /** What {@code /health} answers; unhealthy (503) only when the catalog cannot be written. */
    public record HealthReport(String status, Instant at, boolean catalogWritable, int clusters, int streaming,
                               List<String> notStreaming) {
        public boolean healthy() {
            return catalogWritable;
        }
    }
}
