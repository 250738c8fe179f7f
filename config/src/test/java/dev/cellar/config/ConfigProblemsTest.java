package dev.cellar.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.cellar.core.ErrorCode;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Each bad input is reported with its exact key path, line and column, and all of them at once. */
class ConfigProblemsTest {
    private static final SecretSource SECRETS = SecretSource.of(Map.of("PGUSER", "backup"), Map.of(
            Path.of("/run/secrets/pw"), "pw\n",
            Path.of("/run/secrets/empty"), "\n"));

    private static final String REPO = "repository: {path: /var/lib/cellar}";
    private static final String CLUSTERS_A = "clusters:\n  - name: a";

    /** One line per array element, so that line N of the YAML is element N-1. */
    private static String yaml(String... lines) {
        return String.join("\n", lines) + "\n";
    }

    static Stream<Arguments> badInputs() {
        return Stream.of(
                bad("unknown key with a suggestion",
                        yaml("repository:", "  path: /var/lib/cellar", "server:", "  listne: 127.0.0.1:8432"),
                        "server.listne: line 4, column 3: unknown key 'listne'; did you mean 'listen'?"),
                bad("unknown key without a close match lists the allowed keys",
                        yaml(REPO, "storage: local"),
                        "storage: line 2, column 1: unknown key 'storage'; expected one of repository, server,"
                                + " defaults, offsite, clusters"),
                bad("misspelt keyword inside a conninfo string",
                        yaml(REPO, "clusters:", "  - name: a", "    conninfo: host=pg1", "  - name: b",
                                "    conninfo: hots=pg2 port=5432"),
                        "clusters[1].conninfo: line 6, column 15: unknown key 'hots' at character 1; did you mean 'host'?"),
                bad("duplicate cluster name points at the first",
                        yaml(REPO, "clusters:", "  - name: a", "    conninfo: host=pg1", "  - name: a",
                                "    conninfo: host=pg2"),
                        "clusters[1].name: line 5, column 11: duplicate cluster name 'a' (first at line 3)"),
                bad("explicit slot equal to another cluster's default slot",
                        yaml(REPO, "clusters:", "  - name: a", "    conninfo: host=pg1", "  - name: b",
                                "    conninfo: host=pg2", "    slot: cellar_a"),
                        "clusters[1].slot: line 7, column 11: slot 'cellar_a' is also used by cluster 'a' (line 3);"
                                + " each cluster needs its own replication slot"),
                bad("invalid cron expression with Quartz's reason",
                        yaml(REPO, "defaults:", "  schedule:", "    full: \"0 0 * * *\""),
                        "defaults.schedule.full: line 4, column 11: invalid cron expression '0 0 * * *': Unexpected"
                                + " end of expression. (Quartz cron: seconds minutes hours day-of-month month"
                                + " day-of-week [year], or off)"),
                bad("bad duration",
                        yaml(REPO, "defaults:", "  retention:", "    recovery_window: 14days"),
                        "defaults.retention.recovery_window: line 4, column 22: invalid duration '14days': unknown"
                                + " unit 'days'; expected a whole number followed by s, m, h, d or w, e.g. 14d"),
                bad("bad size",
                        yaml(REPO, CLUSTERS_A, "    conninfo: host=pg1", "    max_rate: 100XB"),
                        "clusters[0].max_rate: line 5, column 15: invalid size '100XB': unknown unit 'XB'; expected"
                                + " a whole number and a unit (B, kB, MB, GB, TB, KiB, MiB, GiB, TiB), e.g. 100MB"),
                bad("unknown server compression",
                        yaml(REPO, CLUSTERS_A, "    conninfo: host=pg1", "    server_compression: brotli"),
                        "clusters[0].server_compression: line 5, column 25: unknown server compression 'brotli': use"
                                + " none, gzip, lz4 or zstd, optionally with :detail such as zstd:level=3,workers=2"),
                bad("bad server compression detail",
                        yaml(REPO, CLUSTERS_A, "    conninfo: host=pg1", "    server_compression: \"zstd:level 3\""),
                        "clusters[0].server_compression: line 5, column 25: invalid server compression detail"
                                + " 'level 3' in 'zstd:level 3': write a level (zstd:3) or keyword=value items"
                                + " (zstd:level=3,workers=2)"),
                bad("unknown checkpoint mode",
                        yaml(REPO, CLUSTERS_A, "    conninfo: host=pg1", "    checkpoint: immediate"),
                        "clusters[0].checkpoint: line 5, column 17: expected one of spread, fast, got 'immediate'"),
                bad("negative count in a flow map",
                        yaml(REPO, "defaults:", "  retention: {keep_daily: -1}"),
                        "defaults.retention.keep_daily: line 3, column 27: must not be negative, got -1"),
                bad("min_full 0 in a cluster override",
                        yaml(REPO, CLUSTERS_A, "    conninfo: host=pg1", "    retention:", "      min_full: 0"),
                        "clusters[0].retention.min_full: line 6, column 17: must be at least 1, got 0"),
                bad("a list where a map is expected",
                        yaml(REPO, "server: [127.0.0.1:8432]"),
                        "server: line 2, column 9: expected a map, got a list"),
                bad("a string where a number is expected",
                        yaml(REPO, "defaults:", "  retention:", "    keep_weekly: many"),
                        "defaults.retention.keep_weekly: line 4, column 18: expected a whole number, got 'many'"),
                bad("a map where a single value is expected",
                        yaml("repository:", "  path:", "    dir: /var/lib/cellar"),
                        "repository.path: line 3, column 5: expected an absolute path, got a map"),
                bad("missing repository.path",
                        yaml("repository: {}", "clusters: []"),
                        "repository.path: line 1, column 1: missing required key 'path'"),
                bad("missing repository section",
                        yaml("clusters: []"),
                        "repository: line 1, column 1: missing required key 'repository'"),
                bad("relative repository path",
                        yaml("repository:", "  path: var/lib/cellar"),
                        "repository.path: line 2, column 9: must be an absolute path, got 'var/lib/cellar'"),
                bad("password and password_file both set",
                        yaml(REPO, CLUSTERS_A, "    conninfo: host=pg1", "    password: hunter2",
                                "    password_file: /run/secrets/pw"),
                        "clusters[0].password_file: line 6, column 20: give either password or password_file, not both"),
                bad("missing password file",
                        yaml(REPO, CLUSTERS_A, "    conninfo: host=pg1", "    password_file: /run/secrets/missing"),
                        "clusters[0].password_file: line 5, column 20: cannot read /run/secrets/missing: no such file"),
                bad("empty password file",
                        yaml(REPO, CLUSTERS_A, "    conninfo: host=pg1", "    password_file: /run/secrets/empty"),
                        "clusters[0].password_file: line 5, column 20: /run/secrets/empty is empty"),
                bad("unset environment variable without default",
                        yaml(REPO, CLUSTERS_A, "    conninfo: host=${PGHOST} user=${PGUSER}"),
                        "clusters[0].conninfo: line 4, column 15: environment variable 'PGHOST' is not set; set it,"
                                + " or give a default with ${PGHOST:-value}"),
                bad("bad sslmode with a suggestion",
                        yaml(REPO, CLUSTERS_A, "    conninfo: host=pg1 sslmode=requre"),
                        "clusters[0].conninfo: line 4, column 15: invalid sslmode 'requre' at character 10: expected"
                                + " one of disable, allow, prefer, require, verify-ca, verify-full; did you mean 'require'?"),
                bad("port count does not match host count",
                        yaml(REPO, CLUSTERS_A, "    conninfo: host=pg1,pg2,pg3 port=5432,5433"),
                        "clusters[0].conninfo: line 4, column 15: could not match 2 port numbers to 3 hosts"),
                bad("password inside conninfo",
                        yaml(REPO, CLUSTERS_A, "    conninfo: host=pg1 password=hunter2"),
                        "clusters[0].conninfo: line 4, column 15: a password must not be written in conninfo (key"
                                + " 'password' at character 10); use the cluster's password_file, or password:"
                                + " ${ENV_VAR}, so it never shows in logs"),
                bad("invalid cluster name",
                        yaml(REPO, "clusters:", "  - name: Prod_DB", "    conninfo: host=pg1"),
                        "clusters[0].name: line 3, column 11: invalid cluster name 'Prod_DB': use 1 to 63 lowercase"
                                + " letters, digits, '_' and '-', starting with a letter or digit (it becomes a"
                                + " directory name)"),
                bad("listen address without port",
                        yaml(REPO, "server:", "  listen: localhost"),
                        "server.listen: line 3, column 11: invalid listen address 'localhost': missing port;"
                                + " expected host:port, e.g. 127.0.0.1:8432"),
                bad("IPv6 listen address without brackets",
                        yaml(REPO, "server:", "  listen: \"::1:8432\""),
                        "server.listen: line 3, column 11: invalid listen address '::1:8432': write an IPv6 address"
                                + " in brackets, e.g. [::1]:8432"),
                bad("compression level out of range",
                        yaml(REPO, "defaults:", "  compression: zstd:23"),
                        "defaults.compression: line 3, column 16: invalid compression 'zstd:23': level must be"
                                + " between 1 and 22"),
                bad("compression none with a level",
                        yaml(REPO, "defaults:", "  compression:", "    method: none", "    level: 3"),
                        "defaults.compression.level: line 5, column 12: applies to zstd only, not to method none"),
                bad("YAML syntax error: unterminated quote",
                        yaml("repository:", "  path: \"/var/lib/cellar", "server: {}"),
                        "line 4, column 1: YAML syntax error: found unexpected end of stream (while scanning a"
                                + " quoted scalar at line 2, column 9)"),
                bad("YAML syntax error: bad indentation",
                        yaml("repository:", "  path: /var/lib/cellar", " server: {}"),
                        "line 3, column 2: YAML syntax error: expected <block end>, but found '<block mapping start>'"
                                + " (while parsing a block mapping at line 1, column 1)"),
                bad("duplicate YAML key",
                        yaml("repository:", "  path: /var/lib/cellar", "  path: /srv/cellar"),
                        "repository.path: line 3, column 3: duplicate key 'path' (first at line 2)"),
                bad("misspelt choice with a suggestion",
                        yaml(REPO, CLUSTERS_A, "    conninfo: host=pg1", "    backup_from: standbi"),
                        "clusters[0].backup_from: line 5, column 18: expected one of primary, standby, any, got"
                                + " 'standbi'; did you mean 'standby'?"),
                bad("not a boolean",
                        yaml(REPO, CLUSTERS_A, "    conninfo: host=pg1", "    synchronous: maybe"),
                        "clusters[0].synchronous: line 5, column 18: expected true or false, got 'maybe'"),
                bad("a list item that is not a map",
                        yaml(REPO, "clusters:", "  - c1"),
                        "clusters[0]: line 3, column 5: expected a map, got a string"),
                bad("missing conninfo is reported at the cluster",
                        yaml(REPO, CLUSTERS_A),
                        "clusters[0].conninfo: line 3, column 5: missing required key 'conninfo'"),
                bad("S3 access key id without the secret key",
                        yaml(REPO, "offsite:", "  s3:", "    bucket: backups", "    access_key_id: AKIAEXAMPLE"),
                        "offsite.s3.access_key_id: line 5, column 20: secret_access_key is missing; give both keys,"
                                + " or neither to use the default credential chain"),
                bad("TLS certificate without its key",
                        yaml(REPO, "server:", "  tls:", "    certificate_file: /etc/cellar/cert.pem"),
                        "server.tls.key_file: line 3, column 3: missing required key 'key_file'"),
                bad("TLS switched on like a flag",
                        yaml(REPO, "server:", "  tls: on"),
                        "server.tls: line 3, column 8: expected a map, got a boolean"),
                bad("YAML alias",
                        yaml(REPO, "defaults:", "  compression: &c zstd:5", "  retention: {recovery_window: *c}"),
                        "defaults.retention.recovery_window: line 4, column 32: YAML aliases (*c) are not supported;"
                                + " write the value out"),
                bad("a second YAML document",
                        yaml(REPO, "---", "clusters: []"),
                        "line 3, column 1: a second YAML document ('---') is not allowed; keep the whole"
                                + " configuration in one"),
                bad("the document is a list",
                        yaml("- repository"),
                        "line 1, column 1: expected a map of keys (repository, server, defaults, offsite, clusters),"
                                + " got a list"));
    }

    private static Arguments bad(String scenario, String yaml, String expected) {
        return Arguments.of(scenario, yaml, "cellar.yaml: " + expected);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badInputs")
    void reportsTheKeyPathLineAndColumn(String scenario, String yaml, String expectedMessage) {
        ConfigException e = parseFailure(yaml);

        assertThat(e.getMessage()).isEqualTo(expectedMessage);
        assertThat(e.code()).isEqualTo(ErrorCode.CONFIG_INVALID);
        assertThat(e.problems()).hasSize(1);
    }

    @Test
    void reportsEveryProblemOfAFileAtOnceInFileOrder() {
        String yaml = yaml(
                "repository:",
                "  path: relative/path",
                "server:",
                "  listen: 127.0.0.1",
                "  tokn: abc",
                "defaults:",
                "  retention:",
                "    keep_daily: -3",
                "clusters:",
                "  - name: a",
                "    conninfo: hots=pg1",
                "  - name: a",
                "    conninfo: host=pg2",
                "    password: x",
                "    password_file: /run/secrets/pw");

        ConfigException e = parseFailure(yaml);

        assertThat(e.getMessage()).isEqualTo(String.join("\n",
                "cellar.yaml: repository.path: line 2, column 9: must be an absolute path, got 'relative/path'",
                "cellar.yaml: server.listen: line 4, column 11: invalid listen address '127.0.0.1': missing port;"
                        + " expected host:port, e.g. 127.0.0.1:8432",
                "cellar.yaml: server.tokn: line 5, column 3: unknown key 'tokn'; did you mean 'token'?",
                "cellar.yaml: defaults.retention.keep_daily: line 8, column 17: must not be negative, got -3",
                "cellar.yaml: clusters[0].conninfo: line 11, column 15: unknown key 'hots' at character 1;"
                        + " did you mean 'host'?",
                "cellar.yaml: clusters[1].name: line 12, column 11: duplicate cluster name 'a' (first at line 10)",
                "cellar.yaml: clusters[1].password_file: line 15, column 20: give either password or"
                        + " password_file, not both"));
        assertThat(e.problems()).extracting(ConfigProblem::path).containsExactly("repository.path", "server.listen",
                "server.tokn", "defaults.retention.keep_daily", "clusters[0].conninfo", "clusters[1].name",
                "clusters[1].password_file");
        assertThat(e.problems().get(4)).isEqualTo(new ConfigProblem("clusters[0].conninfo", 11, 15,
                "unknown key 'hots' at character 1; did you mean 'host'?"));
    }

    @Test
    void hintTellsToFixTheLinesAbove() {
        ConfigException e = parseFailure(yaml("clusters: []"));

        assertThat(e.hint()).contains("fix the lines above, then run the command again");
        assertThat(e.describe()).isEqualTo("ERROR: [020]: cellar.yaml: repository: line 1, column 1: missing"
                + " required key 'repository'" + System.lineSeparator()
                + "HINT: fix the lines above, then run the command again");
    }

    private static ConfigException parseFailure(String yaml) {
        return catchThrowableOfType(ConfigException.class, () -> ConfigLoader.parse(yaml, "cellar.yaml", SECRETS));
    }
}
