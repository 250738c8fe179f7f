package dev.cellar.server.packaging;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * A Dockerfile read just enough for the packaging tests: instructions by stage, with continuation
 * lines joined and comments dropped. Not a general parser (no heredocs, no escape directive).
 */
record DockerfileInstructions(List<Stage> stages) {
    record Instruction(String keyword, String arguments) {
        /** The arguments split on blanks (enough for COPY and WORKDIR, which the tests read). */
        List<String> words() {
            return Arrays.asList(arguments.trim().split("\\s+"));
        }
    }

    record Stage(String image, Optional<String> name, List<Instruction> instructions) {
        List<Instruction> all(String keyword) {
            return instructions.stream().filter(i -> i.keyword().equals(keyword)).toList();
        }

        Optional<String> last(String keyword) {
            List<Instruction> found = all(keyword);
            return found.isEmpty() ? Optional.empty() : Optional.of(found.getLast().arguments());
        }
    }

    static DockerfileInstructions read(Path file) throws IOException {
        List<String> logical = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        for (String line : Files.readAllLines(file)) {
            String trimmed = line.strip();
            if (trimmed.startsWith("#") || (trimmed.isEmpty() && current.isEmpty())) {
                continue; // a comment (also inside a continued instruction), or a blank line between instructions
            }
            if (trimmed.endsWith("\\")) {
                current.append(trimmed, 0, trimmed.length() - 1).append(' ');
                continue;
            }
            current.append(trimmed);
            logical.add(current.toString());
            current.setLength(0);
        }
        List<Stage> stages = new ArrayList<>();
        for (String line : logical) {
            String[] parts = line.split("\\s+", 2);
            Instruction instruction = new Instruction(parts[0].toUpperCase(Locale.ROOT), parts.length > 1 ? parts[1] : "");
            if (instruction.keyword().equals("FROM")) {
                List<String> words = instruction.words();
                Optional<String> name = words.size() == 3 && words.get(1).equalsIgnoreCase("AS")
                        ? Optional.of(words.get(2)) : Optional.empty();
                stages.add(new Stage(words.getFirst(), name, new ArrayList<>()));
            } else if (!stages.isEmpty()) {
                stages.getLast().instructions().add(instruction);
            }
        }
        return new DockerfileInstructions(stages);
    }

    Stage stage(String name) {
        return stages.stream().filter(s -> s.name().equals(Optional.of(name))).findFirst()
                .orElseThrow(() -> new AssertionError("no stage named " + name));
    }

    Stage last() {
        return stages.getLast();
    }
}
