package dev.cellar.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The restore_command of --remote-wal survives /bin/sh and PostgreSQL's % substitution whatever the paths hold. */
class WalGetCommandLineTest {
    @Test
    void namesTheLauncherThatRunsThisCommandElseBackupctlOnThePath() {
        assertThat(WalGetCommandLine.program(Map.of())).isEqualTo("backupctl");
        assertThat(WalGetCommandLine.program(Map.of("CELLAR_BACKUPCTL", "/opt/cellar/bin/backupctl")))
                .isEqualTo("/opt/cellar/bin/backupctl");
    }

    @Test
    void quotesEveryWordAndDoublesPercentSigns() {
        assertThat(WalGetCommandLine.forRepository("/opt/my cellar/bin/backupctl", Path.of("/srv/it's 100%"), "c1"))
                .isEqualTo("'/opt/my cellar/bin/backupctl' --repository '/srv/it'\\''s 100%%' wal-get --cluster 'c1'"
                        + " %f %p");
        assertThat(WalGetCommandLine.forServer("backupctl", URI.create("http://cellar:8432"), Path.of("/run/secrets/t"),
                "c1")).isEqualTo("'backupctl' --server 'http://cellar:8432' --token-file '/run/secrets/t' wal-get"
                + " --cluster 'c1' %f %p");
    }
}
