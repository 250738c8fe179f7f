package dev.cellar.config;

import java.util.Optional;

/**
 * The reference of every configuration key (path, type, default, description) as Markdown, rendered
 * from {@link ConfigSchema} so that the documentation cannot drift from what the loader accepts.
 * {@code docs/config-reference.md} is generated from {@link #markdown()}.
 */
public final class ConfigReference {
    private ConfigReference() {
    }

    public static String markdown() {
        StringBuilder out = new StringBuilder("""
                # Configuration reference

                Generated from `dev.cellar.config.ConfigSchema`; do not edit by hand.

                - Any string value may use `${VAR}` or `${VAR:-default}` to take an environment variable \
                (`$${` writes a literal `${`).
                - A secret (`password`, `token`, keys) may instead be read from a file with the `*_file` key; \
                one trailing newline is ignored. Giving both is an error.
                - Durations: a whole number and `s`, `m`, `h`, `d` or `w`, e.g. `14d`.
                - Sizes: a whole number and `B`, `kB`, `MB`, `GB` or `TB`, powers of 1024 as in PostgreSQL \
                (`KiB`, `MiB`, `GiB`, `TiB` are accepted too), e.g. `100MB`.
                - `clusters[]` keys apply to each cluster; a cluster's `compression`, `schedule` and \
                `retention` override `defaults` key by key.

                | Key | Type | Default | Description |
                |---|---|---|---|
                """);
        for (ConfigKey<?> key : ConfigSchema.ROOT.keys()) {
            rows(out, "", key, Optional.empty());
        }
        return out.toString();
    }

    /** @param inheritedFrom the defaults section this key's map overrides, for its children's default column */
    private static void rows(StringBuilder out, String parent, ConfigKey<?> key, Optional<String> inheritedFrom) {
        String path = parent.isEmpty() ? key.name() : parent + "." + key.name();
        String defaultColumn = inheritedFrom.map(from -> "`" + from + "." + key.name() + "`")
                .or(() -> key.inheritedFrom().filter(from -> key.shape() != ConfigKey.Shape.MAP).map(from -> "`" + from + "`"))
                .orElseGet(() -> defaultColumn(key));
        out.append("| `").append(path).append("` | ").append(escape(key.type())).append(" | ").append(defaultColumn)
                .append(" | ").append(escape(key.description())).append(" |\n");
        String childPath = key.shape() == ConfigKey.Shape.LIST_OF_MAPS ? path + "[]" : path;
        Optional<String> childInheritance = key.shape() == ConfigKey.Shape.MAP ? key.inheritedFrom() : Optional.empty();
        key.section().ifPresent(section -> section.keys()
                .forEach(child -> rows(out, childPath, child, childInheritance)));
    }

    private static String defaultColumn(ConfigKey<?> key) {
        if (key.isRequired()) {
            return "required";
        }
        if (key.shape() == ConfigKey.Shape.MAP || key.shape() == ConfigKey.Shape.LIST_OF_MAPS) {
            return "—";
        }
        if (key.isDefaultComputed()) {
            return escape(key.defaultText().orElseThrow());
        }
        return key.defaultText().map(text -> text.isEmpty() ? "empty" : "`" + text + "`").orElse("not set");
    }

    private static String escape(String text) {
        return text.replace("|", "\\|");
    }
}
