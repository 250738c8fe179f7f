package dev.cellar.walreceiver.connection;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads {@code server_version} as reported at startup ({@code 17.11}, {@code 18.6 (Debian 18.6-1.pgdg+1)},
 * {@code 16beta1}, {@code 18rc1}) into {@code server_version_num} form (major × 10000 + minor), the way
 * libpq's {@code PQserverVersion} does for 10 and later. Stateless.
 */
final class ServerVersions {
    private static final Pattern VERSION = Pattern.compile("(\\d+)(?:\\.(\\d+))?.*", Pattern.DOTALL);

    private ServerVersions() {
    }

    static Optional<Integer> parse(String serverVersion) {
        Matcher m = VERSION.matcher(serverVersion.strip());
        if (!m.matches() || m.group(1).length() > 4 || m.group(2) != null && m.group(2).length() > 4) {
            return Optional.empty();
        }
        int major = Integer.parseInt(m.group(1));
        int minor = m.group(2) == null ? 0 : Integer.parseInt(m.group(2));
        if (major < 10) {
            return Optional.empty(); // 9.6 and older print three parts; not a replication partner of Cellar
        }
        return Optional.of(major * 10000 + minor);
    }
}
