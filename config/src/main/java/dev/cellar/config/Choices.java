package dev.cellar.config;

import dev.cellar.core.CellarException;
import dev.cellar.core.ErrorCode;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/** Enum constants as the keywords users write: {@code VERIFY_FULL} is {@code verify-full}. */
final class Choices {
    private Choices() {
    }

    static String keyword(Enum<?> constant) {
        return constant.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    static List<String> keywords(Enum<?>[] constants) {
        return Arrays.stream(constants).map(Choices::keyword).toList();
    }

    /** The constant written as {@code text}, or an error listing the choices and the closest one. */
    static <E extends Enum<E>> E parse(String text, E[] constants) {
        for (E constant : constants) {
            if (keyword(constant).equals(text)) {
                return constant;
            }
        }
        List<String> keywords = keywords(constants);
        String message = "expected one of " + String.join(", ", keywords) + ", got '" + text + "'";
        throw new CellarException(ErrorCode.INVALID_VALUE, message
                + Suggestions.closest(text, keywords).map(s -> "; did you mean '" + s + "'?").orElse(""));
    }
}
