package dev.cellar.config;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import dev.cellar.config.YamlNode.Entry;
import dev.cellar.config.YamlNode.Position;
import dev.cellar.config.YamlNode.ScalarType;
import dev.cellar.config.YamlNode.YamlList;
import dev.cellar.config.YamlNode.YamlMap;
import dev.cellar.config.YamlNode.YamlScalar;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;

/**
 * Builds a {@link YamlNode} tree from Jackson's YAML token stream, recording the location of every
 * key and value. Reading tokens ourselves (rather than binding) is what lets us see duplicate keys,
 * which a map would silently merge, and keep locations for validation after parsing.
 */
final class YamlTreeReader {
    /** Thread-safe once built. */
    private static final YAMLFactory FACTORY = YAMLFactory.builder().build();

    private final YAMLParser parser;
    private final Problems problems;

    private YamlTreeReader(YAMLParser parser, Problems problems) {
        this.parser = parser;
        this.problems = problems;
    }

    /**
     * The document's tree (an empty map for an empty file), or empty after a syntax error, which is
     * reported: after one the parser cannot say what the rest of the file means.
     */
    static Optional<YamlNode> read(String yaml, Problems problems) {
        try (YAMLParser parser = FACTORY.createParser(yaml)) {
            if (parser.nextToken() == null) {
                return Optional.of(new YamlMap(Position.START, Map.of()));
            }
            YamlNode root = new YamlTreeReader(parser, problems).readValue("");
            if (parser.nextToken() != null) {
                problems.add("", position(parser.currentTokenLocation()),
                        "a second YAML document ('---') is not allowed; keep the whole configuration in one");
            }
            return Optional.of(root);
        } catch (JsonProcessingException e) {
            reportSyntaxError(e, problems);
            return Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException("reading YAML from a string", e);
        }
    }

    /** Reads the value whose first token is the current one, and everything inside it. */
    private YamlNode readValue(String path) throws IOException {
        Position position = position(parser.currentTokenLocation());
        JsonToken token = parser.currentToken();
        return switch (token) {
            case START_OBJECT -> readMap(path, position);
            case START_ARRAY -> readList(path, position);
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> new YamlScalar(position, parser.getText(), ScalarType.NUMBER);
            case VALUE_TRUE, VALUE_FALSE -> new YamlScalar(position, parser.getText(), ScalarType.BOOLEAN);
            case VALUE_NULL -> new YamlScalar(position, "", ScalarType.NULL);
            default -> {
                if (parser.isCurrentAlias()) {
                    problems.add(path, position, "YAML aliases (*" + parser.getText()
                            + ") are not supported; write the value out");
                    yield new YamlScalar(position, "", ScalarType.NULL);
                }
                yield new YamlScalar(position, parser.getText(), ScalarType.STRING);
            }
        };
    }

    private YamlMap readMap(String path, Position position) throws IOException {
        Map<String, Entry> entries = new LinkedHashMap<>();
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            String key = parser.currentName();
            Position keyPosition = position(parser.currentTokenLocation());
            String keyPath = path.isEmpty() ? key : path + "." + key;
            parser.nextToken();
            YamlNode value = readValue(keyPath);
            Entry first = entries.get(key);
            if (first != null) {
                // YAML forbids it, and a parser that keeps the last one would hide the first from the user.
                problems.add(keyPath, keyPosition, "duplicate key '" + key + "' (first at line "
                        + first.keyPosition().line() + ")");
            } else {
                entries.put(key, new Entry(key, keyPosition, value));
            }
        }
        return new YamlMap(position, entries);
    }

    private YamlList readList(String path, Position position) throws IOException {
        List<YamlNode> items = new ArrayList<>();
        while (parser.nextToken() != JsonToken.END_ARRAY) {
            items.add(readValue(path + "[" + items.size() + "]"));
        }
        return new YamlList(position, items);
    }

    private static void reportSyntaxError(JsonProcessingException e, Problems problems) {
        if (e.getCause() instanceof MarkedYAMLException yaml && yaml.getProblemMark() != null) {
            String context = yaml.getContext() == null ? "" : " (" + yaml.getContext()
                    + (yaml.getContextMark() == null ? "" : " at " + describe(yaml.getContextMark())) + ")";
            problems.add("", position(yaml.getProblemMark()), "YAML syntax error: " + yaml.getProblem() + context);
        } else {
            // Only the first line: Jackson appends a source excerpt, which may hold a secret.
            String message = e.getOriginalMessage() == null ? e.getClass().getSimpleName()
                    : e.getOriginalMessage().lines().findFirst().orElse("");
            if (message.startsWith("Expected a field name")) {
                message = "a key must be plain text, not a list or a map";
            }
            Position at = e.getLocation() == null ? Position.START : position(e.getLocation());
            problems.add("", at, "YAML syntax error: " + message);
        }
    }

    private static String describe(Mark mark) {
        return "line " + (mark.getLine() + 1) + ", column " + (mark.getColumn() + 1);
    }

    private static Position position(Mark mark) {
        return new Position(mark.getLine() + 1, mark.getColumn() + 1);
    }

    private static Position position(JsonLocation location) {
        return new Position(Math.max(location.getLineNr(), 1), Math.max(location.getColumnNr(), 1));
    }
}
