package dev.cellar.restore.export;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cellar.core.CellarException;
import dev.cellar.core.ErrorCode;
import dev.cellar.storage.repository.BackupInfo;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class DatabaseSelectionTest {
    static final List<BackupInfo.Database> DATABASES = List.of(new BackupInfo.Database(5, "postgres"),
            new BackupInfo.Database(1, "template1"), new BackupInfo.Database(4, "template0"),
            new BackupInfo.Database(16384, "app"), new BackupInfo.Database(16390, "reports"));

    @Test
    void excludedDatabasesLoseTheirRelationFilesOnly() {
        DatabaseSelection selection = DatabaseSelection.of(Set.of("app"), "F1", DATABASES);
        assertThat(selection.isSelective()).isTrue();
        assertThat(selection.excludedNames()).containsExactly("reports (OID 16390)");
        assertThat(selection.zeroes("base/16390/16401")).isTrue();
        assertThat(selection.zeroes("base/16390/16401_fsm")).isTrue();
        assertThat(selection.zeroes("base/16390/16401_vm.2")).isTrue();
        assertThat(selection.zeroes("base/16390/16401.1")).isTrue();
        assertThat(selection.zeroes("pg_tblspc/16395/PG_17_202406281/16390/16402")).isTrue();
        assertThat(selection.zeroes("base/16390/PG_VERSION")).isFalse();
        assertThat(selection.zeroes("base/16390/pg_filenode.map")).isFalse();
        assertThat(selection.zeroes("base/16384/16401")).isFalse();
        assertThat(selection.zeroes("base/5/1259")).isFalse();
        assertThat(selection.zeroes("global/1262")).isFalse();
        assertThat(selection.zeroes("pg_tblspc/16395/PG_17_202406281/16384/16402")).isFalse();
    }

    @Test
    void allAndSystemDatabasesAreNeverExcludedAndUnknownNamesAreRefused() {
        assertThat(DatabaseSelection.of(Set.of(), "F1", DATABASES).isSelective()).isFalse();
        DatabaseSelection onlySystem = DatabaseSelection.of(Set.of("postgres"), "F1", DATABASES);
        assertThat(onlySystem.excludedNames()).containsExactly("app (OID 16384)", "reports (OID 16390)");
        assertThatThrownBy(() -> DatabaseSelection.of(Set.of("app", "nope"), "F1", DATABASES))
                .isInstanceOfSatisfying(CellarException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.RESTORE_FAILED);
                    assertThat(e.getMessage()).isEqualTo("backup F1 has no database nope");
                    assertThat(e.hint()).contains("its databases: postgres, template1, template0, app, reports");
                });
    }
}
