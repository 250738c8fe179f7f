package dev.cellar.config;

import dev.cellar.config.YamlNode.Position;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** Collects problems while a file is read, so that all of them are reported at once. Not thread-safe. */
final class Problems {
    private final List<ConfigProblem> problems = new ArrayList<>();

    void add(String path, Position position, String message) {
        problems.add(new ConfigProblem(path, position.line(), position.column(), message));
    }

    boolean isEmpty() {
        return problems.isEmpty();
    }

    /** In file order, so the report reads top to bottom; problems at one place keep their order. */
    List<ConfigProblem> inFileOrder() {
        return problems.stream()
                .sorted(Comparator.comparingInt(ConfigProblem::line).thenComparingInt(ConfigProblem::column))
                .toList();
    }
}
