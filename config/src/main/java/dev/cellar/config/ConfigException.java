package dev.cellar.config;

import dev.cellar.core.CellarException;
import dev.cellar.core.ErrorCode;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The configuration cannot be used. Holds every problem found, not just the first, so that one run
 * shows the user all the lines to fix. The message has one line per problem,
 * {@code <file>: <path>: line L, column C: <message>}, and never contains a secret.
 */
public final class ConfigException extends CellarException {
    private static final long serialVersionUID = 1L;

    private final String sourceName;
    private final transient List<ConfigProblem> problems;

    /** @param problems at least one */
    public ConfigException(String sourceName, List<ConfigProblem> problems) {
        super(ErrorCode.CONFIG_INVALID, render(sourceName, problems), "fix the lines above, then run the command again");
        this.sourceName = sourceName;
        this.problems = List.copyOf(problems);
    }

    /** The file (or other source) the problems are in, as it appears in the message. */
    public String sourceName() {
        return sourceName;
    }

    /** In the order of the file: by line, then column. */
    public List<ConfigProblem> problems() {
        return problems;
    }

    private static String render(String sourceName, List<ConfigProblem> problems) {
        if (problems.isEmpty()) {
            throw new IllegalArgumentException("a ConfigException needs at least one problem");
        }
        return problems.stream().map(p -> p.render(sourceName)).collect(Collectors.joining("\n"));
    }
}
