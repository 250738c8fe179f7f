package dev.cellar.config;

import java.util.List;
import java.util.Optional;

/** The keys allowed in one map of the configuration file, in the order the reference lists them. */
record ConfigSection(List<ConfigKey<?>> keys) {
    ConfigSection {
        keys = List.copyOf(keys);
    }

    static ConfigSection of(ConfigKey<?>... keys) {
        return new ConfigSection(List.of(keys));
    }

    Optional<ConfigKey<?>> key(String name) {
        return keys.stream().filter(k -> k.name().equals(name)).findFirst();
    }

    List<String> names() {
        return keys.stream().map(ConfigKey::name).toList();
    }
}
