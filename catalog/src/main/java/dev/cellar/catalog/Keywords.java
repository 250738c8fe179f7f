package dev.cellar.catalog;

import java.util.Locale;

/**
 * The words enum constants are stored as: the constant's name in lower case
 * ({@code WAITING_FOR_WAL} → {@code waiting_for_wal}), as the schema's CHECK constraints list them.
 * Stateless.
 */
final class Keywords {
    private Keywords() {
    }

    static String of(Enum<?> constant) {
        return constant.name().toLowerCase(Locale.ROOT);
    }

    /**
     * The constant stored as {@code keyword}.
     *
     * @throws IllegalStateException if none is: the schema's CHECK constraints make that a bug
     */
    static <E extends Enum<E>> E parse(Class<E> type, String keyword) {
        for (E constant : type.getEnumConstants()) {
            if (of(constant).equals(keyword)) {
                return constant;
            }
        }
        throw new IllegalStateException("unknown %s \"%s\" in the catalog".formatted(type.getSimpleName(), keyword));
    }
}
