package dev.cellar.config;

import dev.cellar.core.CellarException;
import dev.cellar.core.ErrorCode;
import java.time.Duration;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A libpq connection string, checked as libpq would check it, so that what works with
 * {@code psql "<conninfo>"} works with Cellar. Only the keywords Cellar's client honours are
 * accepted; a password is refused (it belongs in {@code password_file}), so {@link #toString()}
 * can be logged. Immutable and thread-safe.
 *
 * @param parameters keyword → value, in the order written
 */
public record Conninfo(Map<String, String> parameters) {
    /**
     * @throws CellarException ({@code INVALID_VALUE}) for an unknown keyword, a password, a bad value,
     *     or host/hostaddr/port lists that do not match
     */
    public Conninfo {
        parameters.forEach((keyword, value) -> ConninfoKeywords.check(keyword, value, 0));
        ConninfoKeywords.hosts(parameters);
        ConninfoKeywords.checkTls(parameters);
        parameters = Collections.unmodifiableMap(new LinkedHashMap<>(parameters));
    }

    /**
     * Reads {@code key=value ...} or a {@code postgresql://} URI (percent-decoded).
     *
     * @throws CellarException ({@code INVALID_VALUE}) naming the problem and, where it has one, its
     *     1-based character position; the message never contains a password
     */
    public static Conninfo parse(String text) {
        Map<String, String> parameters = new LinkedHashMap<>();
        Map<String, Integer> positions = new HashMap<>();
        for (ConninfoParser.Param p : ConninfoParser.parse(text)) {
            ConninfoKeywords.check(p.keyword(), p.value(), p.at());
            Integer first = positions.putIfAbsent(p.keyword(), p.at());
            if (first != null) {
                throw new CellarException(ErrorCode.INVALID_VALUE, "key '" + p.keyword()
                        + "' is given twice (at characters " + first + " and " + p.at() + ")");
            }
            parameters.put(p.keyword(), p.value());
        }
        return new Conninfo(parameters);
    }

    /** The servers to try, in order; {@code localhost:5432} when none is given. */
    public List<HostPort> hosts() {
        return ConninfoKeywords.hosts(parameters);
    }

    /** The value of any accepted keyword, as written (after unquoting). */
    public Optional<String> get(String keyword) {
        return Optional.ofNullable(parameters.get(keyword));
    }

    /** The user name; when empty, libpq (and Cellar) use the operating-system user. */
    public Optional<String> user() {
        return get("user");
    }

    /** Irrelevant to physical replication, which serves the whole cluster; kept for checks that run SQL. */
    public Optional<String> dbname() {
        return get("dbname");
    }

    public Optional<String> applicationName() {
        return get("application_name");
    }

    /**
     * How long to wait for each connection attempt; empty means wait indefinitely (libpq's default,
     * also for 0). As in libpq, 1 second is raised to 2.
     */
    public Optional<Duration> connectTimeout() {
        return get("connect_timeout").map(Long::parseLong).filter(s -> s > 0)
                .map(s -> Duration.ofSeconds(Math.max(s, 2)));
    }

    /** The TLS mode; libpq's default is {@code prefer}, or {@code verify-full} with {@code sslrootcert=system}. */
    public SslMode sslMode() {
        return get("sslmode").map(SslMode::fromKeyword).orElse(
                "system".equals(parameters.get("sslrootcert")) ? SslMode.VERIFY_FULL : SslMode.PREFER);
    }

    public Optional<String> sslRootCert() {
        return get("sslrootcert");
    }

    /** Which server to accept among several hosts; libpq's default is {@code any}. */
    public TargetSessionAttrs targetSessionAttrs() {
        return get("target_session_attrs").map(TargetSessionAttrs::fromKeyword).orElse(TargetSessionAttrs.ANY);
    }

    /** The keyword/value form, quoted where libpq needs quotes; safe to log (it never holds a password). */
    @Override
    public String toString() {
        StringBuilder out = new StringBuilder();
        parameters.forEach((keyword, value) -> {
            if (!out.isEmpty()) {
                out.append(' ');
            }
            out.append(keyword).append('=').append(quote(value));
        });
        return out.toString();
    }

    private static String quote(String value) {
        boolean plain = !value.isEmpty() && value.chars().noneMatch(c -> c == '\'' || c == '\\' || c <= ' ');
        return plain ? value : "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'";
    }
}
