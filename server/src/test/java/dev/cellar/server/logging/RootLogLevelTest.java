package dev.cellar.server.logging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * Commands quiet libraries to WARN unless the operator chose a level; the server logs at the chosen
 * level, INFO by default, even after a command's quieting. The system property stands in for
 * CELLAR_LOG_LEVEL, which it overrides.
 */
class RootLogLevelTest {
    private final Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    private Level saved;

    @BeforeEach
    void save() {
        saved = root.getLevel();
        System.clearProperty(RootLogLevel.PROPERTY);
    }

    @AfterEach
    void restore() {
        root.setLevel(saved);
        System.clearProperty(RootLogLevel.PROPERTY);
    }

    @Test
    void aCommandLogsOnlyWarningsAndTheServerInfoByDefault() {
        assumeTrue(System.getenv(RootLogLevel.ENVIRONMENT) == null, "CELLAR_LOG_LEVEL is set in this environment");
        root.setLevel(Level.DEBUG);
        RootLogLevel.forCommand();
        assertThat(root.getLevel()).isEqualTo(Level.WARN);

        RootLogLevel.forServer();
        assertThat(root.getLevel()).isEqualTo(Level.INFO);
    }

    @Test
    void aChosenLevelAppliesToCommandsAndTheServer() {
        System.setProperty(RootLogLevel.PROPERTY, "debug");
        root.setLevel(Level.ERROR);

        RootLogLevel.forCommand();
        assertThat(root.getLevel()).as("a command keeps what logback.xml set from the chosen level")
                .isEqualTo(Level.ERROR);
        RootLogLevel.forServer();
        assertThat(root.getLevel()).isEqualTo(Level.DEBUG);
    }
}
