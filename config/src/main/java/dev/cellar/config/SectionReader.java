package dev.cellar.config;

import dev.cellar.config.YamlNode.Entry;
import dev.cellar.config.YamlNode.Position;
import dev.cellar.config.YamlNode.YamlList;
import dev.cellar.config.YamlNode.YamlMap;
import dev.cellar.config.YamlNode.YamlScalar;
import dev.cellar.core.CellarException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Typed, validated access to one map of the file against its {@link ConfigSection}. Every problem
 * (unknown key, wrong type, bad value, missing key) is reported with the key's path and position,
 * and the reader carries on, so that one pass finds them all. Not thread-safe.
 */
final class SectionReader {
    private final Map<String, Entry> entries;
    private final String path;
    private final Position anchor;
    private final Problems problems;
    private final Interpolator interpolator;

    /** @param anchor where keys missing from this map are reported: the key or list item holding it */
    private SectionReader(Map<String, Entry> entries, String path, Position anchor, Problems problems,
            Interpolator interpolator) {
        this.entries = entries;
        this.path = path;
        this.anchor = anchor;
        this.problems = problems;
        this.interpolator = interpolator;
    }

    /** Reads {@code map}, reporting at once every key {@code section} does not declare. */
    static SectionReader of(YamlMap map, String path, Position anchor, ConfigSection section, Problems problems,
            Interpolator interpolator) {
        for (Entry entry : map.entries().values()) {
            if (section.key(entry.key()).isEmpty()) {
                problems.add(join(path, entry.key()), entry.keyPosition(),
                        "unknown key '" + entry.key() + "'" + Suggestions.hint(entry.key(), section.names()));
            }
        }
        return new SectionReader(map.entries(), path, anchor, problems, interpolator);
    }

    String path() {
        return path;
    }

    String path(ConfigKey<?> key) {
        return join(path, key.name());
    }

    /** Whether the key is written, even with an empty value. */
    boolean has(ConfigKey<?> key) {
        return entries.containsKey(key.name());
    }

    /** Where the key's value is written, or where it is missing. */
    Position position(ConfigKey<?> key) {
        Entry entry = entries.get(key.name());
        return entry == null ? anchor : entry.value().position();
    }

    void report(ConfigKey<?> key, String message) {
        problems.add(path(key), position(key), message);
    }

    /** What a key holds: nothing (left out, or written without a value), an invalid value, or a value. */
    private record Lookup<T>(boolean set, Optional<T> value) {
        static <T> Lookup<T> notSet() {
            return new Lookup<>(false, Optional.empty());
        }

        static <T> Lookup<T> invalid() {
            return new Lookup<>(true, Optional.empty());
        }
    }

    /** The key's scalar value, or empty when it is not set or invalid (reported). */
    <T> Optional<T> get(ConfigKey<T> key) {
        return lookup(key, true).value();
    }

    /** The key's value; {@code fallback} when it is not set; empty only when it is invalid (reported). */
    <T> Optional<T> getOrElse(ConfigKey<T> key, Supplier<Optional<T>> fallback) {
        Lookup<T> lookup = lookup(key, true);
        return lookup.set() ? lookup.value() : fallback.get();
    }

    /** The key's value, or its declared default when it is not set or invalid (reported). */
    <T> T getOrDefault(ConfigKey<T> key) {
        return get(key).orElseGet(key::defaultValue);
    }

    /** Whether the key holds something, valid or not; reports nothing. */
    boolean isSet(ConfigKey<?> key) {
        return lookup(key, false).set();
    }

    private <T> Lookup<T> lookup(ConfigKey<T> key, boolean report) {
        Entry entry = entries.get(key.name());
        if (entry == null) {
            if (report) {
                reportIfRequired(key);
            }
            return Lookup.notSet();
        }
        if (!(entry.value() instanceof YamlScalar scalar)) {
            if (report) {
                report(key, "expected " + withArticle(key.type()) + ", got " + entry.value().kind());
            }
            return Lookup.invalid();
        }
        String text = scalar.text();
        try {
            if (scalar.type() == YamlNode.ScalarType.STRING) {
                text = interpolator.interpolate(text);
            }
        } catch (CellarException e) {
            if (report) {
                report(key, e.getMessage());
            }
            return Lookup.invalid();
        }
        if (scalar.isEmpty() || text.isEmpty()) {
            if (key.nullMeans().isEmpty()) {
                if (report && key.isRequired()) {
                    report(key, "missing value for required key '" + key.name() + "'");
                }
                return Lookup.notSet();
            }
            text = key.nullMeans().get();
        }
        try {
            return new Lookup<>(true, Optional.of(key.parse(text)));
        } catch (CellarException e) {
            if (report) {
                report(key, key.isSecret() ? "invalid value" : e.getMessage());
            }
            return Lookup.invalid();
        }
    }

    boolean isMap(ConfigKey<?> key) {
        Entry entry = entries.get(key.name());
        return entry != null && entry.value() instanceof YamlMap;
    }

    /**
     * The nested map, or empty when it is left out or not a map (reported). A key written without a
     * value ({@code offsite:}) reads as an empty map, so its required keys are reported by name.
     */
    Optional<SectionReader> section(ConfigKey<?> key) {
        Entry entry = entries.get(key.name());
        if (entry == null) {
            reportIfRequired(key);
            return Optional.empty();
        }
        YamlMap map;
        if (entry.value() instanceof YamlMap written) {
            map = written;
        } else if (entry.value() instanceof YamlScalar scalar && scalar.isEmpty()) {
            map = new YamlMap(scalar.position(), Map.of());
        } else {
            report(key, "expected a map, got " + entry.value().kind());
            return Optional.empty();
        }
        return Optional.of(of(map, path(key), entry.keyPosition(), key.section().orElseThrow(), problems, interpolator));
    }

    /** The nested map, or a reader of an empty map (all defaults) when there is none. */
    SectionReader sectionOrEmpty(ConfigKey<?> key) {
        return section(key).orElseGet(() -> new SectionReader(Map.of(), path(key), position(key), problems, interpolator));
    }

    /** One reader per map in the list; anything else in it is reported. */
    List<SectionReader> list(ConfigKey<?> key) {
        Entry entry = entries.get(key.name());
        if (entry == null || (entry.value() instanceof YamlScalar s && s.isEmpty())) {
            reportIfRequired(key);
            return List.of();
        }
        if (!(entry.value() instanceof YamlList list)) {
            report(key, "expected a list, got " + entry.value().kind());
            return List.of();
        }
        List<SectionReader> readers = new ArrayList<>();
        for (int i = 0; i < list.items().size(); i++) {
            YamlNode item = list.items().get(i);
            String itemPath = path(key) + "[" + i + "]";
            if (item instanceof YamlMap map) {
                readers.add(of(map, itemPath, map.position(), key.section().orElseThrow(), problems, interpolator));
            } else {
                problems.add(itemPath, item.position(), "expected a map, got " + item.kind());
            }
        }
        return readers;
    }

    private void reportIfRequired(ConfigKey<?> key) {
        if (key.isRequired()) {
            problems.add(path(key), anchor, "missing required key '" + key.name() + "'");
        }
    }

    private static String join(String path, String key) {
        return path.isEmpty() ? key : path + "." + key;
    }

    private static String withArticle(String type) {
        if (type.startsWith("one of")) {
            return type;
        }
        return ("aeiou".indexOf(type.charAt(0)) >= 0 ? "an " : "a ") + type;
    }
}
