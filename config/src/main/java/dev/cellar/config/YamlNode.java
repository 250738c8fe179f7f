package dev.cellar.config;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A parsed YAML document that remembers where each key and value was written, so that every
 * problem can name its line and column. Built by {@link YamlTreeReader}.
 */
sealed interface YamlNode {
    /** 1-based line and column in the source text. */
    record Position(int line, int column) {
        static final Position START = new Position(1, 1);
    }

    Position position();

    /** How problems name the kind of node a user wrote: "a map", "a list", "a string". */
    String kind();

    /** A key as written, where it was written, and its value. */
    record Entry(String key, Position keyPosition, YamlNode value) {
    }

    record YamlMap(Position position, Map<String, Entry> entries) implements YamlNode {
        public YamlMap {
            entries = Collections.unmodifiableMap(new LinkedHashMap<>(entries));
        }

        @Override
        public String kind() {
            return "a map";
        }
    }

    record YamlList(Position position, List<YamlNode> items) implements YamlNode {
        public YamlList {
            items = List.copyOf(items);
        }

        @Override
        public String kind() {
            return "a list";
        }
    }

    /**
     * A single value. {@code text} is the source text (for {@code yes}, "yes", not "true"), so that a
     * string key gets what was written; {@code type} is what YAML made of it.
     */
    record YamlScalar(Position position, String text, ScalarType type) implements YamlNode {
        /** Null and the empty plain scalar ({@code key:}) both mean "no value". */
        boolean isEmpty() {
            return type == ScalarType.NULL || (type == ScalarType.STRING && text.isEmpty());
        }

        @Override
        public String kind() {
            return switch (type) {
                case STRING -> "a string";
                case NUMBER -> "a number";
                case BOOLEAN -> "a boolean";
                case NULL -> "no value";
            };
        }
    }

    enum ScalarType {
        STRING, NUMBER, BOOLEAN, NULL
    }
}
