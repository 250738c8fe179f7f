package dev.cellar.config;

import dev.cellar.core.CellarException;
import dev.cellar.core.ErrorCode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;

/**
 * The libpq keywords Cellar's replication client honours, each with a check of its value, and the
 * rules that relate keywords (host/hostaddr/port lists, TLS combinations) as libpq applies them.
 * Keywords outside this list are refused rather than silently ignored.
 */
final class ConninfoKeywords {
    static final int DEFAULT_PORT = 5432;
    static final String DEFAULT_HOST = "localhost";

    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
    private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*(%[A-Za-z0-9_.-]+)?");
    private static final Pattern WHOLE_NUMBER = Pattern.compile("\\d{1,9}");

    /** Keyword → check returning what is wrong with a value, or null when it is fine. */
    private static final Map<String, UnaryOperator<String>> CHECKS = checks();

    private ConninfoKeywords() {
    }

    private static Map<String, UnaryOperator<String>> checks() {
        UnaryOperator<String> anything = v -> null;
        Map<String, UnaryOperator<String>> m = new LinkedHashMap<>();
        m.put("host", v -> eachEntry(v, h -> h.chars().anyMatch(Character::isWhitespace)
                ? "'" + h + "' is not a host name" : null));
        m.put("hostaddr", v -> eachEntry(v, a -> a.isEmpty() || IPV4.matcher(a).matches() || IPV6.matcher(a).matches()
                ? null : "'" + a + "' is not a numeric IP address (put names in host)"));
        m.put("port", v -> eachEntry(v, p -> p.isEmpty() || isPort(p) ? null : "'" + p + "' is not a port number (1..65535)"));
        m.put("user", anything);
        m.put("dbname", anything);
        m.put("passfile", anything);
        m.put("connect_timeout", v -> wholeNumber(v, "seconds"));
        m.put("application_name", anything);
        m.put("fallback_application_name", anything);
        m.put("options", anything);
        m.put("target_session_attrs", v -> choice(v, TargetSessionAttrs.values()));
        m.put("sslmode", v -> choice(v, SslMode.values()));
        m.put("sslnegotiation", v -> choice(v, "postgres", "direct"));
        m.put("sslrootcert", anything);
        m.put("sslcert", anything);
        m.put("sslkey", anything);
        m.put("sslcrl", anything);
        m.put("channel_binding", v -> choice(v, "disable", "prefer", "require"));
        m.put("keepalives", v -> v.equals("0") || v.equals("1") ? null : "expected 0 (off) or 1 (on)");
        m.put("keepalives_idle", v -> wholeNumber(v, "seconds"));
        m.put("keepalives_interval", v -> wholeNumber(v, "seconds"));
        m.put("keepalives_count", v -> wholeNumber(v, "probes"));
        m.put("tcp_user_timeout", v -> wholeNumber(v, "milliseconds"));
        return Collections.unmodifiableMap(m);
    }

    /** The accepted keywords, in the order of libpq's documentation. */
    static List<String> names() {
        return List.copyOf(CHECKS.keySet());
    }

    /**
     * Checks one keyword and its value.
     *
     * @param at 1-based character position of the keyword in the conninfo text, or 0 when unknown
     * @throws CellarException ({@code INVALID_VALUE}) naming the keyword; a password is never quoted
     */
    static void check(String keyword, String value, int at) {
        String where = at > 0 ? " at character " + at : "";
        if (keyword.equals("password")) {
            throw invalid("a password must not be written in conninfo (key 'password'" + where + "); use the"
                    + " cluster's password_file, or password: ${ENV_VAR}, so it never shows in logs");
        }
        if (keyword.equals("replication")) {
            throw invalid("unknown key 'replication'" + where + "; Cellar opens replication connections itself,"
                    + " remove it");
        }
        UnaryOperator<String> check = CHECKS.get(keyword);
        if (check == null) {
            throw invalid("unknown key '" + keyword + "'" + where + Suggestions.hint(keyword, names()));
        }
        String problem = check.apply(value);
        if (problem != null) {
            throw invalid("invalid " + keyword + " '" + value + "'" + where + ": " + problem);
        }
    }

    /** The servers to try, from host, hostaddr and port, with libpq's rules for lists of different length. */
    static List<HostPort> hosts(Map<String, String> parameters) {
        List<String> hosts = entries(parameters.get("host"));
        List<String> addresses = entries(parameters.get("hostaddr"));
        List<String> ports = entries(parameters.get("port"));
        if (parameters.containsKey("host") && parameters.containsKey("hostaddr") && hosts.size() != addresses.size()) {
            throw invalid("could not match " + hosts.size() + " host names to " + addresses.size() + " hostaddr values");
        }
        int count = Math.max(hosts.size(), addresses.size());
        if (ports.size() != 1 && ports.size() != count) {
            throw invalid("could not match " + ports.size() + " port numbers to " + count + " hosts");
        }
        List<HostPort> result = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            String host = i < hosts.size() ? hosts.get(i) : "";
            Optional<String> address = Optional.of(i < addresses.size() ? addresses.get(i) : "").filter(a -> !a.isEmpty());
            String port = ports.get(ports.size() == 1 ? 0 : i);
            result.add(new HostPort(host.isEmpty() ? address.orElse(DEFAULT_HOST) : host, address,
                    port.isEmpty() ? DEFAULT_PORT : Integer.parseInt(port)));
        }
        return List.copyOf(result);
    }

    /** TLS settings libpq refuses in combination. */
    static void checkTls(Map<String, String> parameters) {
        String sslmode = parameters.get("sslmode");
        if ("direct".equals(parameters.get("sslnegotiation")) && sslmode != null
                && !List.of("require", "verify-ca", "verify-full").contains(sslmode)) {
            throw invalid("weak sslmode '" + sslmode + "' may not be used with sslnegotiation=direct"
                    + " (use require, verify-ca or verify-full)");
        }
        if ("system".equals(parameters.get("sslrootcert")) && sslmode != null && !sslmode.equals("verify-full")) {
            throw invalid("weak sslmode '" + sslmode + "' may not be used with sslrootcert=system (use verify-full)");
        }
    }

    private static List<String> entries(String value) {
        return value == null ? List.of("") : Arrays.asList(value.split(",", -1));
    }

    private static String eachEntry(String value, UnaryOperator<String> check) {
        return entries(value).stream().map(check).filter(Objects::nonNull).findFirst().orElse(null);
    }

    private static boolean isPort(String text) {
        return text.matches("\\d{1,5}") && Integer.parseInt(text) >= 1 && Integer.parseInt(text) <= 65535;
    }

    private static String wholeNumber(String value, String unit) {
        return WHOLE_NUMBER.matcher(value).matches() ? null : "expected a whole number of " + unit;
    }

    private static String choice(String value, Enum<?>[] constants) {
        return choice(value, Choices.keywords(constants).toArray(String[]::new));
    }

    private static String choice(String value, String... choices) {
        List<String> list = List.of(choices);
        return list.contains(value) ? null : "expected one of " + String.join(", ", list)
                + Suggestions.closest(value, list).map(s -> "; did you mean '" + s + "'?").orElse("");
    }

    private static CellarException invalid(String message) {
        return new CellarException(ErrorCode.INVALID_VALUE, message);
    }
}
