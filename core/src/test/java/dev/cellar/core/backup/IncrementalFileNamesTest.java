package dev.cellar.core.backup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class IncrementalFileNamesTest {

    @ParameterizedTest
    @CsvSource({
            "base/5/INCREMENTAL.16384,                                   base/5/16384",
            "base/16384/INCREMENTAL.16390.1,                             base/16384/16390.1",
            "base/5/INCREMENTAL.16384_vm,                                base/5/16384_vm",
            "base/5/INCREMENTAL.16384_fsm.2,                             base/5/16384_fsm.2",
            "base/5/INCREMENTAL.16384_init,                              base/5/16384_init",
            "global/INCREMENTAL.1262,                                    global/1262",
            "pg_tblspc/16385/PG_17_202406281/5/INCREMENTAL.16390,        pg_tblspc/16385/PG_17_202406281/5/16390",
            "pg_tblspc/16385/PG_18_202506291/16384/INCREMENTAL.4294967295.7, pg_tblspc/16385/PG_18_202506291/16384/4294967295.7",
    })
    void incrementalFilesRebuildTheFileWithoutThePrefix(String path, String rebuilt) {
        assertThat(IncrementalFileNames.isIncremental(path)).isTrue();
        assertThat(IncrementalFileNames.reconstructedPath(path)).contains(rebuilt);
        assertThat(IncrementalFileNames.isRelationFile(rebuilt)).isTrue();
        assertThat(IncrementalFileNames.incrementalPath(rebuilt)).isEqualTo(path);
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "INCREMENTAL.16384",                        // not in a directory
            "INCREMENTAL.conf",
            "pg_wal/INCREMENTAL.000000010000000000000001",
            "base/INCREMENTAL.16384",                   // base itself holds no relations
            "base/5/sub/INCREMENTAL.16384",             // nor do directories below a database
            "base/pgsql_tmp/INCREMENTAL.16384",
            "pg_tblspc/16385/INCREMENTAL.16390",
            "pg_tblspc/16385/PG_17_202406281/INCREMENTAL.16390",
            "pg_tblspc/16385/other/5/INCREMENTAL.16390",
            "pg_tblspc/016385/PG_17_202406281/5/INCREMENTAL.16390",
            "global/INCREMENTAL.pg_control",
            "global/INCREMENTAL.",
            "base/5/INCREMENTAL.016384",                // relation numbers never start with 0
            "base/5/INCREMENTAL.0",
            "base/5/INCREMENTAL.16384.0",
            "base/5/INCREMENTAL.16384_main",
            "base/5/INCREMENTAL.16384_vmx",
            "base/5/INCREMENTAL.16384.",
            "base/5/INCREMENTAL.4294967296",            // above the uint32 range
            "base/5/INCREMENTAL.16384.4294967296",
            "base/5/INCREMENTAL.t3_16384",              // temporary relations are never backed up
            "base/5/incremental.16384",
            "base/5/16384",
            "base/5/PG_VERSION",
    })
    void otherPathsAreNotIncrementalFiles(String path) {
        assertThat(IncrementalFileNames.isIncremental(path)).isFalse();
        assertThat(IncrementalFileNames.reconstructedPath(path)).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"base/5/PG_VERSION", "PG_VERSION", "global/pg_control", "base/5/INCREMENTAL.16384"})
    void onlyRelationFilesHaveAnIncrementalPath(String path) {
        assertThat(IncrementalFileNames.isRelationFile(path)).isFalse();
        assertThatThrownBy(() -> IncrementalFileNames.incrementalPath(path))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("\"%s\" is not a relation file in a relation directory, so it is never sent incrementally", path);
    }
}
