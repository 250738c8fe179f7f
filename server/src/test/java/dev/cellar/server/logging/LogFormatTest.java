package dev.cellar.server.logging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.MDC;

/**
 * The shipped logback.xml, configured into a private Logback context as the server would be, with
 * what it writes to stderr captured: text by default with [cluster] only when the MDC has one, JSON
 * lines with {@code cellar.log.format=json}, an unknown format falling back to text, the level from
 * {@code cellar.log.level}, Quartz's and Flyway's INFO lines only when a level is chosen.
 */
class LogFormatTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @BeforeEach
    void environmentChoosesNothing() {
        // The system properties stand in for these and override them, but "unset" cannot be simulated.
        assumeTrue(System.getenv("CELLAR_LOG_FORMAT") == null && System.getenv("CELLAR_LOG_LEVEL") == null,
                "CELLAR_LOG_FORMAT or CELLAR_LOG_LEVEL is set in this environment");
    }

    @Test
    void jsonFormatWritesOneObjectPerLineWithTheClusterFromTheMdc() throws Exception {
        String output = logWith(Map.of("cellar.log.format", "json"), log -> {
            MDC.put("cluster", "c1");
            log.info("scheduled {} backup: {}", "full", "done\nsecond line");
            MDC.remove("cluster");
            log.warn("no cluster here", new IllegalStateException("boom"));
        });

        List<String> lines = output.lines().toList();
        assertThat(lines).hasSize(2);
        List<JsonNode> events = new ArrayList<>();
        for (String line : lines) {
            events.add(JSON.readTree(line));
        }
        JsonNode first = events.get(0);
        assertThat(first.isObject()).isTrue();
        assertThat(first.path("level").asText()).isEqualTo("INFO");
        assertThat(first.path("loggerName").asText()).isEqualTo("dev.cellar.test.Logs");
        assertThat(first.path("threadName").asText()).isEqualTo(Thread.currentThread().getName());
        assertThat(first.path("formattedMessage").asText()).isEqualTo("scheduled full backup: done\nsecond line");
        assertThat(first.path("mdc").path("cluster").asText()).isEqualTo("c1");
        assertThat(first.path("timestamp").asLong()).isPositive();
        // The raw template and its arguments would repeat the message; the context says nothing.
        assertThat(first.has("message")).isFalse();
        assertThat(first.has("arguments")).isFalse();
        assertThat(first.has("context")).isFalse();

        JsonNode second = events.get(1);
        assertThat(second.path("level").asText()).isEqualTo("WARN");
        assertThat(second.path("mdc").path("cluster").isMissingNode()).isTrue();
        assertThat(second.path("throwable").path("message").asText()).isEqualTo("boom");
    }

    @Test
    void textFormatIsTheDefaultAndShowsTheClusterOnlyWhenThereIsOne() throws Exception {
        String output = logWith(Map.of(), log -> {
            MDC.put("cluster", "c1");
            log.info("streaming");
            MDC.remove("cluster");
            log.info("serving 1 cluster(s)");
        });

        String thread = Thread.currentThread().getName();
        assertThat(output.lines().toList()).satisfiesExactly(
                line -> assertThat(line).matches("\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\\.\\d{3}\\S+ INFO  \\["
                        + Pattern.quote(thread) + "] \\[c1] Logs - streaming"),
                line -> assertThat(line).endsWith(" INFO  [" + thread + "] Logs - serving 1 cluster(s)"));
    }

    @Test
    void anUnknownFormatFallsBackToTextRatherThanSilence() throws Exception {
        String output = logWith(Map.of("cellar.log.format", "xml"), log -> log.info("still logged"));

        assertThat(output).contains(" INFO  [").endsWith("Logs - still logged" + System.lineSeparator());
    }

    @Test
    void theLevelComesFromCellarLogLevel() throws Exception {
        String output = logWith(Map.of("cellar.log.level", "WARN"), log -> {
            log.info("hidden");
            log.warn("shown");
        });

        assertThat(output).contains("shown").doesNotContain("hidden");
    }

    @Test
    void quartzAndFlywayChatterOnlyWithAChosenLevel() throws Exception {
        Consumer<LoggerContext> chatter = context -> {
            context.getLogger("org.quartz.core.QuartzScheduler").info("Scheduler cellar started.");
            context.getLogger("org.flywaydb.core.FlywayExecutor").info("Database: jdbc:sqlite");
            context.getLogger("org.quartz.core.QuartzScheduler").warn("a Quartz warning");
        };

        assertThat(logWithContext(Map.of(), chatter)).doesNotContain("Scheduler cellar started", "Database:")
                .contains("a Quartz warning");
        assertThat(logWithContext(Map.of("cellar.log.level", "INFO"), chatter))
                .contains("Scheduler cellar started", "Database: jdbc:sqlite");
    }

    private static String logWith(Map<String, String> properties, Consumer<Logger> body) throws Exception {
        return logWithContext(properties, context -> body.accept(context.getLogger("dev.cellar.test.Logs")));
    }

    /** Configures a new context from the server's logback.xml under {@code properties}; returns stderr. */
    private static String logWithContext(Map<String, String> properties, Consumer<LoggerContext> body)
            throws Exception {
        PrintStream stderr = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        Map<String, String> saved = new HashMap<>();
        properties.keySet().forEach(key -> saved.put(key, System.getProperty(key)));
        LoggerContext context = new LoggerContext();
        context.setMDCAdapter(MDC.getMDCAdapter()); // the one org.slf4j.MDC writes to, as in the server
        try {
            properties.forEach(System::setProperty);
            System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
            JoranConfigurator configurator = new JoranConfigurator();
            configurator.setContext(context);
            configurator.doConfigure(shippedConfiguration());
            body.accept(context);
        } finally {
            context.stop();
            System.setErr(stderr);
            saved.forEach((key, value) -> {
                if (value == null) {
                    System.clearProperty(key);
                } else {
                    System.setProperty(key, value);
                }
            });
        }
        return captured.toString(StandardCharsets.UTF_8);
    }

    /**
     * The server module's own logback.xml (not the test kit's logback-test.xml on the test class
     * path), from its classes directory or, under Failsafe, its jar.
     */
    static URL shippedConfiguration() throws Exception {
        String module = RootLogLevel.class.getProtectionDomain().getCodeSource().getLocation().toString();
        return Collections.list(RootLogLevel.class.getClassLoader().getResources("logback.xml")).stream()
                .filter(url -> url.toString().contains(module)).findFirst()
                .orElseThrow(() -> new AssertionError("no logback.xml in " + module));
    }
}
