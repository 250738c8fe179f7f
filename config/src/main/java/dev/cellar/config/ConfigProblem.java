package dev.cellar.config;

import java.util.Objects;

/**
 * One thing wrong with a configuration file.
 *
 * @param path the key, as {@code clusters[1].conninfo} (list indexes from 0); empty for the file as a whole
 * @param line 1-based; 0 when the problem has no place in the file (it cannot be read)
 * @param column 1-based; 0 when {@code line} is 0
 */
public record ConfigProblem(String path, int line, int column, String message) {
    public ConfigProblem {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(message, "message");
    }

    /** {@code <file>: <path>: line L, column C: <message>}; the path or place is left out when there is none. */
    public String render(String sourceName) {
        StringBuilder out = new StringBuilder(sourceName).append(": ");
        if (!path.isEmpty()) {
            out.append(path).append(": ");
        }
        if (line > 0) {
            out.append("line ").append(line).append(", column ").append(column).append(": ");
        }
        return out.append(message).toString();
    }
}
