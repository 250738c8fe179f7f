package dev.cellar.server.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.lang.ArchRule;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The module dependency direction of docs/architecture.md as ArchUnit rules: each module's package
 * may use only the packages of the modules it is allowed to depend on. Maven already refuses an
 * import of an undeclared module; these rules also catch the transitive leaks Maven allows (for
 * example retention reaching storage through catalog).
 */
final class ModuleDependencyRules {
    /** Module package (under dev.cellar) → the module packages it may use, besides its own. */
    static final Map<String, Set<String>> ALLOWED = allowed();

    private static final Map<String, String> WHY = Map.of(
            "core", "core holds PostgreSQL facts as pure value types; everything depends on it, so it depends on nothing",
            "config", "config only turns YAML into records; the server maps them to each module's *Settings",
            "storage", "storage stores bytes; it must not know SQL, configuration or PostgreSQL connections",
            "catalog", "the catalog indexes the repository; it must not talk to PostgreSQL servers",
            "walreceiver", "the WAL receiver reports through listener callbacks; the server writes catalog rows",
            "retention", "retention is a pure planner over catalog data; it deletes nothing and stores nothing",
            "restore", "restore reads the repository and catalog; it never changes them",
            "testkit", "the test kit builds on the runtime server launcher in restore, nothing else",
            "server", "the server wires everything; nothing may depend on it");

    private ModuleDependencyRules() {
    }

    private static Map<String, Set<String>> allowed() {
        Map<String, Set<String>> m = new LinkedHashMap<>();
        m.put("core", Set.of());
        // One exception hierarchy (CellarException, ErrorCode) lives in core; config uses it too.
        m.put("config", Set.of("core"));
        m.put("storage", Set.of("core"));
        m.put("catalog", Set.of("core", "storage"));
        m.put("walreceiver", Set.of("core", "storage"));
        m.put("retention", Set.of("core", "catalog"));
        m.put("restore", Set.of("core", "storage", "catalog"));
        m.put("testkit", Set.of("core", "storage", "restore"));
        m.put("server", Set.of("core", "config", "storage", "catalog", "walreceiver", "retention", "restore"));
        return Map.copyOf(m);
    }

    /** One rule per module, for the modules' packages under {@code root} (normally "dev.cellar"). */
    static List<ArchRule> rules(String root) {
        List<ArchRule> rules = new ArrayList<>();
        for (var entry : ALLOWED.entrySet()) {
            String module = entry.getKey();
            String[] forbidden = ALLOWED.keySet().stream()
                    .filter(other -> !other.equals(module) && !entry.getValue().contains(other))
                    .map(other -> root + "." + other + "..")
                    .toArray(String[]::new);
            rules.add(noClasses().that().resideInAPackage(root + "." + module + "..")
                    .should().dependOnClassesThat().resideInAnyPackage(forbidden)
                    .because(WHY.get(module) + "; allowed: " + (entry.getValue().isEmpty()
                            ? "no other module" : String.join(", ", new java.util.TreeSet<>(entry.getValue())))
                            + " (see docs/architecture.md)")
                    // A module without classes yet (retention today) has nothing to check.
                    .allowEmptyShould(true));
        }
        return rules;
    }
}
