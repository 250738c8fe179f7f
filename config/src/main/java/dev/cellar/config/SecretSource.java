package dev.cellar.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * Where {@code ${VAR}} values and {@code *_file} contents come from. The loader goes through this
 * port rather than {@link System#getenv} and {@link Files} so that tests control both.
 * Implementations must be thread-safe.
 */
public interface SecretSource {
    /** The value of an environment variable, or empty when it is not set. */
    Optional<String> environment(String name);

    /**
     * The whole text (UTF-8) of a secret file.
     *
     * @throws IOException when the file is missing or unreadable; the loader reports it with the key
     */
    String readFile(Path path) throws IOException;

    /** The process environment and the real file system. */
    static SecretSource system() {
        return new SecretSource() {
            @Override
            public Optional<String> environment(String name) {
                return Optional.ofNullable(System.getenv(name));
            }

            @Override
            public String readFile(Path path) throws IOException {
                return Files.readString(path, StandardCharsets.UTF_8);
            }
        };
    }

    /** Fixed variables and files, for tests and for embedding; a path not in {@code files} is missing. */
    static SecretSource of(Map<String, String> environment, Map<Path, String> files) {
        Map<String, String> env = Map.copyOf(environment);
        Map<Path, String> contents = Map.copyOf(files);
        return new SecretSource() {
            @Override
            public Optional<String> environment(String name) {
                return Optional.ofNullable(env.get(name));
            }

            @Override
            public String readFile(Path path) throws IOException {
                String text = contents.get(path);
                if (text == null) {
                    throw new NoSuchFileException(path.toString());
                }
                return text;
            }
        };
    }
}
