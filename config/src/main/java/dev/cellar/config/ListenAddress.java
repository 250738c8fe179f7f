package dev.cellar.config;

import dev.cellar.core.CellarException;
import dev.cellar.core.ErrorCode;
import java.util.regex.Pattern;

/**
 * Where the admin API listens: a host name or IPv4 address and a port ({@code 127.0.0.1:8432}), or
 * an IPv6 address in brackets ({@code [::1]:8432}). {@link #host()} holds IPv6 without brackets.
 */
public record ListenAddress(String host, int port) {
    private static final Pattern HOST_NAME = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?");
    private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*(%[A-Za-z0-9_.-]+)?");

    /** @throws CellarException ({@code INVALID_VALUE}) for an unusable host or a port outside 1..65535 */
    public ListenAddress {
        String problem = problem(host, port);
        if (problem != null) {
            throw invalid(host + ":" + port, problem);
        }
    }

    /**
     * Reads {@code host:port} or {@code [ipv6]:port}.
     *
     * @throws CellarException ({@code INVALID_VALUE}) quoting the text and the expected form
     */
    public static ListenAddress parse(String text) {
        String host;
        String port;
        if (text.startsWith("[")) {
            int close = text.indexOf("]:");
            if (close < 0) {
                throw invalid(text, "expected [ipv6-address]:port, e.g. [::1]:8432");
            }
            host = text.substring(1, close);
            port = text.substring(close + 2);
        } else {
            int colon = text.lastIndexOf(':');
            if (colon < 0) {
                throw invalid(text, "missing port; expected host:port, e.g. 127.0.0.1:8432");
            }
            host = text.substring(0, colon);
            port = text.substring(colon + 1);
            if (host.contains(":")) {
                throw invalid(text, "write an IPv6 address in brackets, e.g. [::1]:8432");
            }
            if (host.isEmpty()) {
                throw invalid(text, "missing host; use 0.0.0.0:" + port + " to listen on every IPv4 address");
            }
        }
        if (!port.matches("\\d{1,5}")) {
            throw invalid(text, "port must be a number between 1 and 65535");
        }
        String problem = problem(host, Integer.parseInt(port));
        if (problem != null) {
            throw invalid(text, problem);
        }
        return new ListenAddress(host, Integer.parseInt(port));
    }

    /** What is wrong with the parts, or null. */
    private static String problem(String host, int port) {
        if (!HOST_NAME.matcher(host).matches() && !IPV6.matcher(host).matches()) {
            return "'" + host + "' is not a host name or IP address";
        }
        return port < 1 || port > 65535 ? "port must be between 1 and 65535" : null;
    }

    @Override
    public String toString() {
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }

    private static CellarException invalid(String text, String reason) {
        return new CellarException(ErrorCode.INVALID_VALUE, "invalid listen address '" + text + "': " + reason);
    }
}
