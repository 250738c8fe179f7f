package dev.cellar.server.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cellar.config.CellarConfig;
import dev.cellar.config.ClusterConfig;
import dev.cellar.config.ConfigLoader;
import dev.cellar.config.ListenAddress;
import dev.cellar.config.SecretSource;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ReloadPlanTest {
    private static final SecretSource SECRETS = SecretSource.of(Map.of("TOKEN", "t1", "TOKEN2", "t2"),
            Map.of(Path.of("/secrets/a"), "pw-a\n", Path.of("/secrets/a2"), "pw-a2\n"));

    private static final String BASE = """
            repository: { path: /var/lib/cellar }
            server: { listen: 127.0.0.1:8432, token: "${TOKEN}" }
            defaults:
              schedule: { full: "0 0 3 ? * SUN", incremental: off }
            clusters:
              - name: a
                conninfo: host=pg-a user=cellar
                password_file: /secrets/a
              - name: b
                conninfo: host=pg-b user=cellar
              - name: c
                conninfo: host=pg-c user=cellar
            """;

    static CellarConfig config(String yaml) {
        return ConfigLoader.parse(yaml, "cellar.yaml", SECRETS);
    }

    @Test
    void theSameFileChangesNothing() {
        ReloadPlan plan = ReloadPlan.between(config(BASE), config(BASE));

        assertThat(plan.added()).isEmpty();
        assertThat(plan.removed()).isEmpty();
        assertThat(plan.changed()).isEmpty();
        assertThat(plan.unchanged()).containsExactly("a", "b", "c");
        assertThat(plan.appliedLive()).isEmpty();
        assertThat(plan.needsRestart()).isEmpty();
        assertThat(plan.effective()).isEqualTo(config(BASE));
    }

    @Test
    void clustersAreAddedAndRemovedByName() {
        ReloadPlan plan = ReloadPlan.between(config(BASE), config("""
                repository: { path: /var/lib/cellar }
                server: { listen: 127.0.0.1:8432, token: "${TOKEN}" }
                defaults:
                  schedule: { full: "0 0 3 ? * SUN", incremental: off }
                clusters:
                  - name: d
                    conninfo: host=pg-d user=cellar
                  - name: b
                    conninfo: host=pg-b user=cellar
                """));

        assertThat(plan.added()).extracting(ClusterConfig::name).containsExactly("d");
        assertThat(plan.removed()).containsExactly("a", "c");
        assertThat(plan.unchanged()).containsExactly("b");
        assertThat(plan.changed()).isEmpty();
        assertThat(plan.effective().clusters()).extracting(ClusterConfig::name).containsExactly("d", "b");
    }

    @Test
    void aKeyTheStreamUsesRestartsItAndNamesTheKeysNeverTheSecret() {
        ReloadPlan plan = ReloadPlan.between(config(BASE), config(BASE
                .replace("password_file: /secrets/a", "password_file: /secrets/a2")
                .replace("host=pg-b user=cellar", "host=pg-b2 user=cellar\n    synchronous: true")));

        assertThat(plan.changed()).hasSize(2);
        ReloadPlan.Change a = plan.changed().get(0);
        assertThat(a.cluster().name()).isEqualTo("a");
        assertThat(a.keys()).containsExactly("password");
        assertThat(a.restartStream()).isTrue();
        assertThat(a.reschedule()).isFalse();
        ReloadPlan.Change b = plan.changed().get(1);
        assertThat(b.keys()).containsExactly("conninfo", "synchronous");
        assertThat(b.restartStream()).isTrue();
        assertThat(plan.toString()).doesNotContain("pw-a");
        assertThat(plan.unchanged()).containsExactly("c");
    }

    @Test
    void aNewSlotOrCompressionRestartsTheStream() {
        ReloadPlan plan = ReloadPlan.between(config(BASE), config(BASE.replace("host=pg-c user=cellar",
                "host=pg-c user=cellar\n    slot: other\n    compression: zstd:9")));

        assertThat(plan.changed()).singleElement().satisfies(c -> {
            assertThat(c.keys()).containsExactly("slot", "compression");
            assertThat(c.restartStream()).isTrue();
        });
    }

    @Test
    void schedulesAreReplacedWithoutRestartingTheStreamAndDefaultsReachEveryCluster() {
        ReloadPlan plan = ReloadPlan.between(config(BASE), config(BASE.replace(
                "schedule: { full: \"0 0 3 ? * SUN\", incremental: off }",
                "schedule: { full: \"0 0 2 ? * SUN\", incremental: off }")));

        assertThat(plan.changed()).extracting(c -> c.cluster().name()).containsExactly("a", "b", "c");
        assertThat(plan.changed()).allSatisfy(c -> {
            assertThat(c.keys()).containsExactly("schedule.full");
            assertThat(c.reschedule()).isTrue();
            assertThat(c.restartStream()).isFalse();
        });
    }

    @Test
    void backupAndRetentionSettingsApplyFromTheNextUse() {
        ReloadPlan plan = ReloadPlan.between(config(BASE), config(BASE.replace("host=pg-b user=cellar",
                "host=pg-b user=cellar\n    max_rate: 10MB\n    checkpoint: fast\n    retention: { min_full: 3 }")));

        assertThat(plan.changed()).singleElement().satisfies(c -> {
            assertThat(c.cluster().name()).isEqualTo("b");
            assertThat(c.keys()).containsExactly("max_rate", "checkpoint", "retention.min_full");
            assertThat(c.restartStream()).isFalse();
            assertThat(c.reschedule()).isFalse();
        });
    }

    @Test
    void listenTlsRepositoryAndOffsiteNeedARestartAndKeepTheirRunningValues() {
        CellarConfig running = config(BASE);
        ReloadPlan plan = ReloadPlan.between(running, config(BASE
                .replace("path: /var/lib/cellar", "path: /srv/cellar")
                .replace("127.0.0.1:8432", "0.0.0.0:9000, tls: { certificate_file: /c.pem, key_file: /k.pem }")
                + "offsite:\n  s3: { bucket: backups }\n"));

        assertThat(plan.needsRestart()).containsExactly("repository.path", "server.listen", "server.tls", "offsite");
        assertThat(plan.effective().server().tls()).isEmpty();
        assertThat(plan.appliedLive()).isEmpty();
        assertThat(plan.unchanged()).containsExactly("a", "b", "c");
        assertThat(plan.effective().repository().path()).isEqualTo(Path.of("/var/lib/cellar"));
        assertThat(plan.effective().server().listen()).isEqualTo(ListenAddress.parse("127.0.0.1:8432"));
        assertThat(plan.effective().offsite()).isEmpty();
    }

    @Test
    void aRotatedTokenAndTheBackupLimitApplyLive() {
        ReloadPlan plan = ReloadPlan.between(config(BASE), config(BASE.replace("token: \"${TOKEN}\"",
                "token: \"${TOKEN2}\", max_concurrent_backups: 5")));

        assertThat(plan.appliedLive()).containsExactly("server.token", "server.max_concurrent_backups");
        assertThat(plan.needsRestart()).isEmpty();
        assertThat(plan.effective().server().token().orElseThrow().reveal()).isEqualTo("t2");
        assertThat(plan.effective().server().maxConcurrentBackups()).isEqualTo(5);
    }

    @Test
    void aClusterCanBeRenamedOntoTheSlotOfARemovedOne() {
        ReloadPlan plan = ReloadPlan.between(config(BASE), config(BASE.replace("- name: c\n    conninfo: host=pg-c",
                "- name: c2\n    slot: cellar_c\n    conninfo: host=pg-c")));

        assertThat(plan.removed()).containsExactly("c");
        assertThat(plan.added()).singleElement().satisfies(c -> assertThat(c.slot()).isEqualTo("cellar_c"));
    }
}
