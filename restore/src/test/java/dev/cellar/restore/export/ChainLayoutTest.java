package dev.cellar.restore.export;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import dev.cellar.core.CellarException;
import dev.cellar.core.ErrorCode;
import dev.cellar.storage.backup.BackupEntry;
import dev.cellar.storage.backup.EntryType;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Which backup of a chain each output file comes from, decided from the file lists alone. */
class ChainLayoutTest {
    private static final Set<String> BASE_AND_TABLESPACE = Set.of("base", "16400");

    /** One backup's entries, built fluently. */
    static final class Files {
        final String id;
        final List<BackupEntry> entries = new ArrayList<>();
        private long offset;

        Files(String id) {
            this.id = id;
        }

        Files dir(String archive, String path) {
            entries.add(new BackupEntry(archive, path, EntryType.DIRECTORY, 0700, 1000, 0, null, null, -1));
            return this;
        }

        Files file(String archive, String path) {
            entries.add(new BackupEntry(archive, path, EntryType.FILE, 0600, 1000, 8192, "00000000", null, offset));
            offset += 8192;
            return this;
        }

        ChainLayout.Member member() {
            return new ChainLayout.Member(id, entries);
        }
    }

    private static ChainLayout plan(Files... backups) {
        return ChainLayout.plan(Arrays.stream(backups).map(Files::member).toList(), BASE_AND_TABLESPACE);
    }

    @Test
    void aSegmentChangedInEveryIncrementalIsRebuiltFromTheFullBackupAndEveryLayer() {
        ChainLayout layout = plan(
                new Files("F").dir("base", "base/5").file("base", "base/5/16384"),
                new Files("I1").dir("base", "base/5").file("base", "base/5/INCREMENTAL.16384"),
                new Files("I2").dir("base", "base/5").file("base", "base/5/INCREMENTAL.16384"));

        assertThat(layout.rebuilds()).singleElement().satisfies(r -> {
            assertThat(r.path()).isEqualTo("base/5/16384");
            assertThat(r.manifestPath()).isEqualTo("base/5/16384");
            assertThat(r.base()).isZero();
            assertThat(r.baseEntry().path()).isEqualTo("base/5/16384");
            assertThat(r.layers()).extracting(ChainLayout.Layer::backup).containsExactly(1, 2);
            assertThat(r.layers()).extracting(l -> l.entry().path()).containsOnly("base/5/INCREMENTAL.16384");
            assertThat(r.incremental()).isSameAs(r.layers().getLast().entry());
        });
        assertThat(layout.copies()).isEmpty();
        assertThat(layout.obsolete()).isEmpty();
        assertThat(layout.directories()).extracting(BackupEntry::path).containsExactly("base/5");
    }

    @Test
    void theBaseIsTheNewestWholeCopyBeforeTheNewestBackup() {
        // Created after the full backup (16390), or sent whole again because most of it changed (16384).
        ChainLayout layout = plan(
                new Files("F").file("base", "base/5/16384"),
                new Files("I1").file("base", "base/5/INCREMENTAL.16384").file("base", "base/5/16390"),
                new Files("I2").file("base", "base/5/16384").file("base", "base/5/INCREMENTAL.16390"),
                new Files("I3").file("base", "base/5/INCREMENTAL.16384").file("base", "base/5/INCREMENTAL.16390"));

        assertThat(layout.rebuilds()).extracting(ChainLayout.Rebuild::path, ChainLayout.Rebuild::base,
                        r -> r.layers().stream().map(ChainLayout.Layer::backup).toList())
                .containsExactly(
                        tuple("base/5/16384", 2, List.of(3)),
                        tuple("base/5/16390", 1, List.of(2, 3)));
    }

    @Test
    void eachBackupIsWantedOnlyForTheBasesLayersAndWholeFilesTheOutputTakesFromIt() {
        ChainLayout layout = plan(
                new Files("F").file("base", "base/5/16384").file("base", "base/5/16385").file("base", "PG_VERSION")
                        .file("base", "base/5/16386"),
                new Files("I1").file("base", "base/5/INCREMENTAL.16384").file("base", "base/5/16385")
                        .file("base", "PG_VERSION").file("base", "base/5/16386"),
                new Files("I2").file("base", "base/5/INCREMENTAL.16384").file("base", "base/5/INCREMENTAL.16385")
                        .file("base", "PG_VERSION"));

        assertThat(layout.wanted(0)).containsExactly(new ChainLayout.Key("base", "base/5/16384"));
        assertThat(layout.wanted(1)).containsExactlyInAnyOrder(new ChainLayout.Key("base", "base/5/INCREMENTAL.16384"),
                new ChainLayout.Key("base", "base/5/16385"));
        assertThat(layout.wanted(2)).containsExactlyInAnyOrder(new ChainLayout.Key("base", "base/5/INCREMENTAL.16384"),
                new ChainLayout.Key("base", "base/5/INCREMENTAL.16385"), new ChainLayout.Key("base", "PG_VERSION"));
        assertThat(layout.obsolete()).extracting(BackupEntry::path).containsExactly("base/5/16386");
    }

    @Test
    void wholeFilesOfTheNewestBackupAreCopiedAndWhatItLacksIsObsolete() {
        ChainLayout layout = plan(
                new Files("F").dir("base", "base/5").dir("base", "base/7").file("base", "base/7/1")
                        .file("base", "base/5/16385").file("base", "PG_VERSION").dir("base", "pg_notify")
                        .file("16400", "PG_17_1/5/16500"),
                new Files("I1").dir("base", "base/5").file("base", "PG_VERSION").file("base", "pg_notify")
                        .file("16400", "PG_17_1/5/16501"));

        assertThat(layout.copies()).extracting(BackupEntry::archive, BackupEntry::path).containsExactly(
                tuple("base", "PG_VERSION"),
                tuple("base", "pg_notify"),
                tuple("16400", "PG_17_1/5/16501"));
        // A dropped database, a dropped table, a directory that became a file, a dropped table in the tablespace.
        assertThat(layout.obsolete()).extracting(BackupEntry::archive, BackupEntry::path).containsExactly(
                tuple("base", "base/7"),
                tuple("base", "base/7/1"),
                tuple("base", "base/5/16385"),
                tuple("base", "pg_notify"),
                tuple("16400", "PG_17_1/5/16500"));
    }

    @Test
    void archivesTheOutputDoesNotHaveAreIgnored() {
        // Tablespace 16400 was dropped after the full backup: nothing of it is unpacked or removed.
        ChainLayout layout = ChainLayout.plan(List.of(
                new Files("F").file("base", "PG_VERSION").file("16400", "PG_17_1/5/16500").member(),
                new Files("I1").file("base", "PG_VERSION").member()), Set.of("base"));

        assertThat(layout.obsolete()).isEmpty();
        assertThat(layout.copies()).extracting(BackupEntry::path).containsExactly("PG_VERSION");
    }

    @Test
    void tablespaceSegmentsAreRebuiltLikeOthersAndNamedByTheirManifestPath() {
        ChainLayout layout = plan(
                new Files("F").file("16400", "PG_17_1/5/16500.1"),
                new Files("I1").file("16400", "PG_17_1/5/INCREMENTAL.16500.1"));

        assertThat(layout.rebuilds()).singleElement().satisfies(r -> {
            assertThat(r.archive()).isEqualTo("16400");
            assertThat(r.path()).isEqualTo("PG_17_1/5/16500.1");
            assertThat(r.manifestPath()).isEqualTo("pg_tblspc/16400/PG_17_1/5/16500.1");
        });
    }

    @Test
    void aFileNamedLikeAnIncrementalOutsideRelationDirectoriesIsCopiedAsItIs() {
        ChainLayout layout = plan(new Files("F").file("base", "PG_VERSION"),
                new Files("I1").file("base", "pg_stat/INCREMENTAL.16384").file("base", "base/5/INCREMENTAL.notes"));

        assertThat(layout.rebuilds()).isEmpty();
        assertThat(layout.copies()).extracting(BackupEntry::path)
                .containsExactly("pg_stat/INCREMENTAL.16384", "base/5/INCREMENTAL.notes");
    }

    @Test
    void aBackupBetweenTheBaseAndTheNewestWithNeitherVersionBreaksTheChain() {
        assertThatThrownBy(() -> plan(
                new Files("F").file("base", "base/5/16384"),
                new Files("I1").file("base", "base/5/INCREMENTAL.16384"),
                new Files("I2").file("base", "PG_VERSION"),
                new Files("I3").file("base", "base/5/INCREMENTAL.16384")))
                .isInstanceOfSatisfying(CellarException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.OBJECT_CORRUPT);
                    assertThat(e.getMessage()).isEqualTo("cannot rebuild base/5/16384: backup I2 holds neither"
                            + " base/5/16384 nor base/5/INCREMENTAL.16384, which backup I3 builds on");
                    assertThat(e.hint()).hasValueSatisfying(h -> assertThat(h).contains("another backup chain"));
                });
    }

    @Test
    void aTablespaceSegmentMissingFromAnIntermediateBackupIsNamedByItsManifestPath() {
        assertThatThrownBy(() -> plan(
                new Files("F").file("16400", "PG_17_1/5/16500"),
                new Files("I1").file("base", "PG_VERSION"),
                new Files("I2").file("16400", "PG_17_1/5/INCREMENTAL.16500")))
                .isInstanceOfSatisfying(CellarException.class, e -> assertThat(e.getMessage()).isEqualTo(
                        "cannot rebuild pg_tblspc/16400/PG_17_1/5/16500: backup I1 holds neither"
                                + " pg_tblspc/16400/PG_17_1/5/16500 nor pg_tblspc/16400/PG_17_1/5/INCREMENTAL.16500,"
                                + " which backup I2 builds on"));
    }

    @Test
    void aChainWithoutAWholeCopyIsDamaged() {
        assertThatThrownBy(() -> plan(
                new Files("F").file("base", "base/5/INCREMENTAL.16384"),
                new Files("I1").file("base", "base/5/INCREMENTAL.16384")))
                .isInstanceOfSatisfying(CellarException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.OBJECT_CORRUPT);
                    assertThat(e.getMessage()).isEqualTo("cannot rebuild base/5/16384: no backup of the chain holds"
                            + " a whole copy of it; even the full backup F has only base/5/INCREMENTAL.16384");
                });
    }

    @Test
    void aBackupHoldingASegmentBothWholeAndIncrementallyIsDamaged() {
        assertThatThrownBy(() -> plan(
                new Files("F").file("base", "base/5/16384"),
                new Files("I1").file("base", "base/5/16384").file("base", "base/5/INCREMENTAL.16384")))
                .isInstanceOfSatisfying(CellarException.class, e -> assertThat(e.getMessage())
                        .isEqualTo("backup I1 holds base/5/16384 both whole and as base/5/INCREMENTAL.16384"));
        assertThatThrownBy(() -> plan(
                new Files("F").file("base", "base/5/16384"),
                new Files("I1").file("base", "base/5/INCREMENTAL.16384").file("base", "base/5/16384")))
                .isInstanceOfSatisfying(CellarException.class, e -> assertThat(e.getMessage())
                        .isEqualTo("backup I1 holds base/5/16384 both whole and as base/5/INCREMENTAL.16384"));
    }

    @Test
    void aChainHasAtLeastTwoBackups() {
        assertThatThrownBy(() -> plan(new Files("F").file("base", "PG_VERSION")))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
