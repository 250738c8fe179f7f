package dev.cellar.server.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import java.util.Optional;
import org.slf4j.LoggerFactory;

/**
 * The root logger's level for the two kinds of {@code backupctl} run. The server logs what it does,
 * at {@code CELLAR_LOG_LEVEL} (INFO unless set); a command prints its own output, so libraries'
 * progress at INFO would only clutter it: commands log at WARN unless a level or a Logback file was
 * given explicitly. Call from the main thread before work starts.
 */
public final class RootLogLevel {
    /** System property that overrides {@link #ENVIRONMENT}, as in logback.xml. */
    static final String PROPERTY = "cellar.log.level";
    static final String ENVIRONMENT = "CELLAR_LOG_LEVEL";

    private RootLogLevel() {
    }

    /** For a one-shot command: WARN, unless the operator chose a level or a configuration file. */
    public static void forCommand() {
        if (System.getProperty("logback.configurationFile") == null && configured().isEmpty()) {
            set(Level.WARN);
        }
    }

    /** For {@code serve}: the configured level, INFO by default (also after {@link #forCommand()}). */
    public static void forServer() {
        set(Level.toLevel(configured().orElse("INFO"), Level.INFO));
    }

    private static Optional<String> configured() {
        return Optional.ofNullable(System.getProperty(PROPERTY)).or(() -> Optional.ofNullable(System.getenv(ENVIRONMENT)))
                .filter(level -> !level.isBlank());
    }

    private static void set(Level level) {
        // Another SLF4J binding (an embedding application's) keeps its own levels.
        if (LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME) instanceof Logger root) {
            root.setLevel(level);
        }
    }
}
