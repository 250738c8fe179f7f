package dev.cellar.config;

import dev.cellar.core.CellarException;
import dev.cellar.core.ErrorCode;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.text.ParseException;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Pattern;
import org.quartz.CronExpression;

/**
 * Turns the text of one scalar into a typed value or a {@link CellarException} whose message says
 * what is wrong (the loader adds key, line and column). Used by {@link ConfigSchema} declarations.
 */
final class ValueParsers {
    private static final Pattern CLUSTER_NAME = Pattern.compile("[a-z0-9][a-z0-9_-]{0,62}");
    private static final Pattern SLOT_NAME = Pattern.compile("[a-z0-9_]{1,63}");
    private static final Pattern BUCKET = Pattern.compile("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]");
    private static final Pattern INTEGER = Pattern.compile("[-+]?\\d{1,10}");

    private ValueParsers() {
    }

    static Function<String, String> text() {
        return Function.identity();
    }

    /** YAML 1.1's spellings too, since the YAML parser reads {@code yes} and {@code on} as true. */
    static Function<String, Boolean> bool() {
        return text -> switch (text.toLowerCase(Locale.ROOT)) {
            case "true", "yes", "on" -> true;
            case "false", "no", "off" -> false;
            default -> throw invalid("expected true or false, got '" + text + "'");
        };
    }

    static Function<String, Integer> integer(int min, int max) {
        return text -> {
            if (!INTEGER.matcher(text).matches()) {
                throw invalid("expected a whole number, got '" + text + "'");
            }
            long value = Long.parseLong(text);
            if (value < min) {
                throw invalid(min == 0 ? "must not be negative, got " + value : "must be at least " + min + ", got " + value);
            }
            if (value > max) {
                throw invalid("must be at most " + max + ", got " + value);
            }
            return (int) value;
        };
    }

    /** A byte rate: a size, optionally followed by {@code /s}; at least one byte per second. */
    static Function<String, Long> rate() {
        return text -> {
            long bytes = SizeParser.parse(text.endsWith("/s") ? text.substring(0, text.length() - 2) : text);
            if (bytes < 1) {
                throw invalid("must be more than 0 bytes per second; leave max_rate out for no limit");
            }
            return bytes;
        };
    }

    static Function<String, Path> path() {
        return text -> {
            try {
                return Path.of(text);
            } catch (InvalidPathException e) {
                throw invalid("invalid path '" + text + "': " + e.getReason());
            }
        };
    }

    static Function<String, Path> absolutePath() {
        return text -> {
            Path path = path().apply(text);
            if (!path.isAbsolute()) {
                throw invalid("must be an absolute path, got '" + text + "'");
            }
            return path.normalize();
        };
    }

    /** A Quartz cron expression; {@code off} (or false) for no schedule. */
    static Function<String, Optional<String>> cron() {
        return text -> {
            if (text.equals("off") || text.equals("false")) {
                return Optional.empty();
            }
            try {
                new CronExpression(text);
                return Optional.of(text);
            } catch (ParseException e) {
                throw invalid("invalid cron expression '" + text + "': " + e.getMessage()
                        + " (Quartz cron: seconds minutes hours day-of-month month day-of-week [year], or off)");
            }
        };
    }

    static <E extends Enum<E>> Function<String, E> choice(E[] constants) {
        return text -> Choices.parse(text, constants);
    }

    static Function<String, String> clusterName() {
        return text -> {
            if (!CLUSTER_NAME.matcher(text).matches()) {
                throw invalid("invalid cluster name '" + text + "': use 1 to 63 lowercase letters, digits, '_'"
                        + " and '-', starting with a letter or digit (it becomes a directory name)");
            }
            return text;
        };
    }

    static Function<String, String> slotName() {
        return text -> {
            if (!SLOT_NAME.matcher(text).matches()) {
                throw invalid("invalid slot name '" + text + "': PostgreSQL allows 1 to 63 lowercase letters,"
                        + " digits and '_'");
            }
            return text;
        };
    }

    static Function<String, String> bucket() {
        return text -> {
            if (!BUCKET.matcher(text).matches()) {
                throw invalid("invalid bucket name '" + text + "': S3 bucket names are 3 to 63 lowercase letters,"
                        + " digits, '.' and '-'");
            }
            return text;
        };
    }

    /** An object-name prefix: relative, since S3 object names have no leading slash. */
    static Function<String, String> prefix() {
        return text -> {
            if (text.startsWith("/")) {
                throw invalid("must not start with '/', got '" + text + "'");
            }
            return text;
        };
    }

    static Function<String, URI> httpUrl() {
        return text -> {
            try {
                URI uri = new URI(text);
                if (("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) && uri.getHost() != null) {
                    return uri;
                }
            } catch (URISyntaxException e) {
                // Reported below with the expected form, which helps more than the parser's reason.
            }
            throw invalid("invalid URL '" + text + "': expected http:// or https:// and a host, e.g. https://s3.example.net");
        };
    }

    static CellarException invalid(String message) {
        return new CellarException(ErrorCode.INVALID_VALUE, message);
    }
}
