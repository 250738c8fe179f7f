package dev.cellar.config;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Reads, validates and binds the configuration file. Reports every problem of a file at once (see
 * {@link ConfigException}). Stateless and thread-safe; reads no file besides the configuration and
 * the secret files it names.
 */
public final class ConfigLoader {
    private ConfigLoader() {
    }

    /** {@link #load(Path, SecretSource)} with the process environment and the real file system. */
    public static CellarConfig load(Path file) {
        return load(file, SecretSource.system());
    }

    /**
     * Reads the configuration file; relative {@code *_file} paths are taken from the file's directory.
     *
     * @throws ConfigException listing every problem, or that the file cannot be read
     */
    public static CellarConfig load(Path file, SecretSource secrets) {
        String yaml;
        try {
            yaml = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new ConfigException(file.toString(), List.of(new ConfigProblem("", 0, 0,
                    "cannot read the configuration file: " + reason(e))));
        }
        return parse(yaml, file.toString(), secrets, file.toAbsolutePath().getParent());
    }

    /**
     * Reads configuration text; relative {@code *_file} paths are taken from the working directory.
     *
     * @param sourceName how messages name the source, normally the file's path
     * @throws ConfigException listing every problem
     */
    public static CellarConfig parse(String yaml, String sourceName, SecretSource secrets) {
        return parse(yaml, sourceName, secrets, Path.of(""));
    }

    private static CellarConfig parse(String yaml, String sourceName, SecretSource secrets, Path baseDirectory) {
        Problems problems = new Problems();
        Optional<CellarConfig> config = YamlTreeReader.read(yaml, problems)
                .flatMap(root -> new ConfigBinder(problems, secrets, baseDirectory).bind(root));
        if (!problems.isEmpty() || config.isEmpty()) {
            throw new ConfigException(sourceName, problems.inFileOrder());
        }
        return config.get();
    }

    /** A short reason for a failed read, without the exception's class name. */
    static String reason(IOException e) {
        return switch (e) {
            case NoSuchFileException ignored -> "no such file";
            case AccessDeniedException ignored -> "permission denied";
            case CharacterCodingException ignored -> "not UTF-8 text";
            default -> String.valueOf(e.getMessage());
        };
    }
}
