package dev.cellar.config;

import dev.cellar.core.CellarException;
import dev.cellar.core.ErrorCode;
import java.util.regex.Pattern;

/**
 * Replaces {@code ${VAR}} and {@code ${VAR:-default}} in a scalar with environment values, as a
 * POSIX shell does ({@code :-} also applies when the variable is set but empty). {@code $${} writes
 * a literal {@code ${}. The default is literal text up to the first {@code }}; it does not nest.
 */
final class Interpolator {
    private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

    private final SecretSource source;

    Interpolator(SecretSource source) {
        this.source = source;
    }

    /**
     * The text with every reference replaced.
     *
     * @throws CellarException naming the variable when it is unset and has no default, or when a
     *     reference is malformed; the message never contains a variable's value
     */
    String interpolate(String text) {
        if (!text.contains("${")) {
            return text;
        }
        StringBuilder out = new StringBuilder(text.length());
        int i = 0;
        while (i < text.length()) {
            if (text.startsWith("$${", i)) {
                out.append("${");
                i += 3;
            } else if (text.startsWith("${", i)) {
                int end = text.indexOf('}', i + 2);
                if (end < 0) {
                    throw invalid("unterminated '${' at character " + (i + 1) + "; close it with '}'");
                }
                out.append(resolve(text.substring(i + 2, end)));
                i = end + 1;
            } else {
                out.append(text.charAt(i++));
            }
        }
        return out.toString();
    }

    private String resolve(String reference) {
        int separator = reference.indexOf(":-");
        String name = separator < 0 ? reference : reference.substring(0, separator);
        if (!NAME.matcher(name).matches()) {
            throw invalid("'${" + name + "}' is not a valid environment variable reference;"
                    + " use letters, digits and '_', e.g. ${PGHOST} or ${PGHOST:-localhost}");
        }
        String value = source.environment(name).orElse(null);
        if (separator >= 0 && (value == null || value.isEmpty())) {
            return reference.substring(separator + 2);
        }
        if (value == null) {
            throw invalid("environment variable '" + name + "' is not set; set it, or give a default"
                    + " with ${" + name + ":-value}");
        }
        return value;
    }

    private static CellarException invalid(String message) {
        return new CellarException(ErrorCode.CONFIG_INVALID, message);
    }
}
