package dev.cellar.config;

import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * One key of the configuration file, declared once (in {@link ConfigSchema}) with its type, default
 * and doc text: validation parses with its parser, binding applies its default through the same
 * parser, and {@link ConfigReference} prints it. Immutable; the {@code with…} methods return copies.
 *
 * @param <T> what the key's scalar value becomes ({@code Void} for a map or a list)
 */
final class ConfigKey<T> {
    /** What may be written under the key. */
    enum Shape {
        SCALAR, MAP, LIST_OF_MAPS, SCALAR_OR_MAP
    }

    private final String name;
    private final Shape shape;
    private final String type;
    private final String description;
    private final Function<String, T> parser;
    private final ConfigSection section;
    private final String defaultText;
    private final boolean defaultIsComputed;
    private final boolean required;
    private final boolean secret;
    private final String nullMeans;
    private final String inheritedFrom;

    private ConfigKey(String name, Shape shape, String type, String description, Function<String, T> parser,
            ConfigSection section, String defaultText, boolean defaultIsComputed, boolean required, boolean secret,
            String nullMeans, String inheritedFrom) {
        this.name = Objects.requireNonNull(name, "name");
        this.shape = shape;
        this.type = type;
        this.description = Objects.requireNonNull(description, "description");
        this.parser = parser;
        this.section = section;
        this.defaultText = defaultText;
        this.defaultIsComputed = defaultIsComputed;
        this.required = required;
        this.secret = secret;
        this.nullMeans = nullMeans;
        this.inheritedFrom = inheritedFrom;
    }

    static <T> ConfigKey<T> scalar(String name, String type, Function<String, T> parser, String description) {
        return new ConfigKey<>(name, Shape.SCALAR, type, description, parser, null, null, false, false, false, null, null);
    }

    static ConfigKey<Void> map(String name, ConfigSection section, String description) {
        return new ConfigKey<>(name, Shape.MAP, "map", description, null, section, null, false, false, false, null, null);
    }

    static ConfigKey<Void> listOfMaps(String name, ConfigSection section, String description) {
        return new ConfigKey<>(name, Shape.LIST_OF_MAPS, "list of maps", description, null, section, null, false,
                false, false, null, null);
    }

    /** Also accept a map of the keys in {@code longForm} (e.g. compression's method, level, workers). */
    ConfigKey<T> orMap(ConfigSection longForm) {
        return new ConfigKey<>(name, Shape.SCALAR_OR_MAP, type, description, parser, longForm, defaultText,
                defaultIsComputed, required, secret, nullMeans, inheritedFrom);
    }

    /** The value when the key is left out, written as a user would write it. */
    ConfigKey<T> withDefault(String text) {
        return new ConfigKey<>(name, shape, type, description, parser, section, text, false, required, secret,
                nullMeans, inheritedFrom);
    }

    /** A default that depends on other keys; {@code howComputed} is doc text only. */
    ConfigKey<T> withComputedDefault(String howComputed) {
        return new ConfigKey<>(name, shape, type, description, parser, section, howComputed, true, required, secret,
                nullMeans, inheritedFrom);
    }

    ConfigKey<T> required() {
        return new ConfigKey<>(name, shape, type, description, parser, section, defaultText, defaultIsComputed, true,
                secret, nullMeans, inheritedFrom);
    }

    /** Never quote the value in a message. */
    ConfigKey<T> secret() {
        return new ConfigKey<>(name, shape, type, description, parser, section, defaultText, defaultIsComputed,
                required, true, nullMeans, inheritedFrom);
    }

    /** Read an explicit null ({@code key:} or {@code key: null}) as this text rather than as "not set". */
    ConfigKey<T> withNullMeaning(String text) {
        return new ConfigKey<>(name, shape, type, description, parser, section, defaultText, defaultIsComputed,
                required, secret, text, inheritedFrom);
    }

    /** Keys left out take their value from this key path (a cluster's overrides of {@code defaults}). */
    ConfigKey<T> inheritingFrom(String path) {
        return new ConfigKey<>(name, shape, type, description, parser, section, defaultText, defaultIsComputed,
                required, secret, nullMeans, path);
    }

    String name() {
        return name;
    }

    Shape shape() {
        return shape;
    }

    /** The type as the reference and type errors name it ("duration", "integer ≥ 0"). */
    String type() {
        return type;
    }

    String description() {
        return description;
    }

    /**
     * Parses the text of a scalar.
     *
     * @throws dev.cellar.core.CellarException when the text is not a valid value
     * @throws IllegalStateException for a map or list key, which has no scalar form
     */
    T parse(String text) {
        if (parser == null) {
            throw new IllegalStateException(name + " holds a " + type + ", not a single value");
        }
        return parser.apply(text);
    }

    /** The declared default parsed, for binding; only for keys with a plain (not computed) default. */
    T defaultValue() {
        if (defaultText == null || defaultIsComputed) {
            throw new IllegalStateException(name + " has no fixed default");
        }
        return parse(defaultText);
    }

    Optional<ConfigSection> section() {
        return Optional.ofNullable(section);
    }

    Optional<String> defaultText() {
        return Optional.ofNullable(defaultText);
    }

    boolean isDefaultComputed() {
        return defaultIsComputed;
    }

    boolean isRequired() {
        return required;
    }

    boolean isSecret() {
        return secret;
    }

    Optional<String> nullMeans() {
        return Optional.ofNullable(nullMeans);
    }

    Optional<String> inheritedFrom() {
        return Optional.ofNullable(inheritedFrom);
    }

    @Override
    public String toString() {
        return name;
    }
}
