package dev.cellar.restore.export;

import static dev.cellar.restore.export.SyntheticChain.TABLESPACE;
import static dev.cellar.restore.export.SyntheticChain.describe;
import static dev.cellar.restore.export.SyntheticChain.incremental;
import static dev.cellar.restore.export.SyntheticChain.pages;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cellar.catalog.BackupRow;
import dev.cellar.core.CellarException;
import dev.cellar.core.ErrorCode;
import dev.cellar.core.backup.BackupLabel;
import dev.cellar.core.backup.BackupManifest;
import dev.cellar.core.backup.ChecksumAlgorithm;
import dev.cellar.core.backup.ManifestChecksums;
import dev.cellar.core.backup.ManifestFile;
import dev.cellar.storage.local.LocalStore;
import dev.cellar.storage.repository.Repository;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Restores of synthetic chains (a full backup and two incrementals, with a tablespace): what lands
 * where, page by page, and what a broken chain or a damaged incremental file leaves behind (nothing).
 */
class RestoreExportChainTest {
    private static final String TS = String.valueOf(TABLESPACE);

    @TempDir
    Path temp;
    Repository repository;

    @BeforeEach
    void open() throws IOException {
        repository = new Repository(LocalStore.open(Files.createDirectories(temp.resolve("repo"))));
    }

    /** The full backup: a table of three blocks, one to be dropped, one to be rewritten, a database to be dropped. */
    static SyntheticChain.Backup full() {
        return new SyntheticChain.Backup("F", null, 0).skeleton()
                .dir("base", "base/5").dir("base", "base/7")
                .file("base", "base/5/16384", pages("F", "F", "F"))
                .file("base", "base/5/16385", pages("F", "F"))
                .file("base", "base/5/16386", pages("F"))
                .file("base", "base/7/1", pages("F"))
                .dir(TS, "PG_17_1").dir(TS, "PG_17_1/5")
                .file(TS, "PG_17_1/5/16500", pages("F", "F"));
    }

    /** Extends 16384 to four blocks, creates 16390, rewrites 16386 whole, drops database 7. */
    static SyntheticChain.Backup first() {
        return new SyntheticChain.Backup("I1", "F", 1).skeleton()
                .dir("base", "base/5")
                .file("base", "base/5/INCREMENTAL.16384", incremental("I1", 4, 1, 3))
                .file("base", "base/5/INCREMENTAL.16385", incremental("I1", 2))
                .file("base", "base/5/16386", pages("I1"))
                .file("base", "base/5/16390", pages("I1", "I1"))
                .dir(TS, "PG_17_1").dir(TS, "PG_17_1/5")
                .file(TS, "PG_17_1/5/INCREMENTAL.16500", incremental("I1", 2, 0));
    }

    /** Cuts 16384 to three blocks, drops 16385, leaves 16386 alone, creates database 6 and a table in the tablespace. */
    static SyntheticChain.Backup second() {
        return new SyntheticChain.Backup("I2", "I1", 2).skeleton()
                .dir("base", "base/5").dir("base", "base/6")
                .file("base", "base/5/INCREMENTAL.16384", incremental("I2", 3, 0), 0640)
                .file("base", "base/5/INCREMENTAL.16386", incremental("I2", 1))
                .file("base", "base/5/INCREMENTAL.16390", incremental("I2", 2, 1))
                .file("base", "base/6/1", pages("I2"))
                .dir(TS, "PG_17_1").dir(TS, "PG_17_1/5")
                .file(TS, "PG_17_1/5/INCREMENTAL.16500", incremental("I2", 2))
                .file(TS, "PG_17_1/5/16501", pages("I2"));
    }

    private ExportOptions options(Path data, Path tablespace) {
        return new ExportOptions(data, Map.of("extra", tablespace), 3, Optional.of("cp /nowhere/%f %p"), false,
                java.util.Set.of());
    }

    @Test
    void aChainIsCombinedPageByPageAsPgCombinebackupWould() throws IOException {
        List<BackupRow> chain = List.of(full().store(repository), first().store(repository),
                second().store(repository));
        Path data = temp.resolve("restore/data");
        Path tablespace = temp.resolve("restore/extra");

        ExportResult result = new RestoreExport(repository, SyntheticChain.plan(chain), options(data, tablespace),
                Clock.systemUTC()).run();

        assertThat(describe(Files.readAllBytes(data.resolve("base/5/16384")))).containsExactly("I2#0", "I1#1", "F#2");
        assertThat(describe(Files.readAllBytes(data.resolve("base/5/16386")))).containsExactly("I1#0");
        assertThat(describe(Files.readAllBytes(data.resolve("base/5/16390")))).containsExactly("I1#0", "I2#1");
        assertThat(describe(Files.readAllBytes(data.resolve("base/6/1")))).containsExactly("I2#0");
        assertThat(describe(Files.readAllBytes(tablespace.resolve("PG_17_1/5/16500")))).containsExactly("I1#0", "F#1");
        assertThat(describe(Files.readAllBytes(tablespace.resolve("PG_17_1/5/16501")))).containsExactly("I2#0");
        assertThat(Files.readAllBytes(data.resolve("global/pg_control"))).isEqualTo(SyntheticChain.page("control-I2", 0));
        assertThat(data.resolve("base/5/16385")).doesNotExist();
        assertThat(data.resolve("base/7")).doesNotExist();
        assertThat(data.resolve(ChainCombiner.STAGING)).doesNotExist();
        assertThat(tablespace.resolve(ChainCombiner.STAGING)).doesNotExist();
        assertThat(files(data)).noneMatch(p -> p.contains("INCREMENTAL.") || p.endsWith(".cellar-rebuild"));

        BackupLabel label = BackupLabel.parse(Files.readAllBytes(data.resolve("backup_label")), "restored label");
        assertThat(label.isIncremental()).isFalse();
        assertThat(label.label()).isEqualTo("synthetic I2");
        assertThat(Files.readString(data.resolve("tablespace_map"))).isEqualTo(TABLESPACE + " "
                + tablespace.toAbsolutePath() + "\n");

        // Modes and times of the newest index; the rebuilt file takes its incremental file's.
        long newest = second().mtime();
        assertThat(Files.getPosixFilePermissions(data.resolve("base/5/16384")))
                .isEqualTo(PosixFilePermissions.fromString("rw-r-----"));
        assertThat(Files.getPosixFilePermissions(data.resolve("base/5/16390")))
                .isEqualTo(PosixFilePermissions.fromString("rw-------"));
        for (String path : List.of("base/5/16384", "base/5/16386", "base/6/1", "base/5", "PG_VERSION")) {
            assertThat(Files.getLastModifiedTime(data.resolve(path)).toInstant()).as(path)
                    .isEqualTo(Instant.ofEpochSecond(newest));
        }

        // The manifest describes the combined directory, file by file, in the newest manifest's order.
        BackupManifest manifest = BackupManifest.parse(Files.readAllBytes(data.resolve("backup_manifest")), "restored");
        assertThat(manifest.systemIdentifier()).hasValue(SyntheticChain.SYSTEM_ID);
        assertThat(manifest.files()).extracting(ManifestFile::path).containsExactly("PG_VERSION", "backup_label",
                "global/pg_control", "postgresql.auto.conf", "base/5/16384", "base/5/16386", "base/5/16390",
                "base/6/1", "pg_tblspc/16400/PG_17_1/5/16500", "pg_tblspc/16400/PG_17_1/5/16501");
        for (ManifestFile file : manifest.files()) {
            Path onDisk = file.path().startsWith("pg_tblspc/")
                    ? tablespace.resolve(file.path().substring(("pg_tblspc/" + TS + "/").length()))
                    : data.resolve(file.path());
            byte[] content = Files.readAllBytes(onDisk);
            if (!file.path().equals("postgresql.auto.conf")) { // rewritten with the recovery settings
                assertThat(content.length).as(file.path()).isEqualTo(file.size());
                assertThat(file.algorithm()).isEqualTo(ChecksumAlgorithm.CRC32C);
                assertThat(ManifestChecksums.hex(ChecksumAlgorithm.CRC32C, content)).as(file.path())
                        .isEqualTo(file.checksumHex());
            }
            assertThat(file.lastModified()).isEqualTo(Instant.ofEpochSecond(newest));
        }
        assertThat(result.dataBytes()).isEqualTo(manifest.files().stream().mapToLong(ManifestFile::size).sum());
        assertThat(result.tablespaces()).containsExactly(Map.entry(TABLESPACE, tablespace.toAbsolutePath()));
    }

    @Test
    void aChainOfOneIncrementalOnTheFullBackupRestoresToo() throws IOException {
        List<BackupRow> chain = List.of(full().store(repository), first().store(repository));
        Path data = temp.resolve("one/data");

        new RestoreExport(repository, SyntheticChain.plan(chain), options(data, temp.resolve("one/extra")),
                Clock.systemUTC()).run();

        assertThat(describe(Files.readAllBytes(data.resolve("base/5/16384")))).containsExactly("F#0", "I1#1", "F#2",
                "I1#3");
        assertThat(describe(Files.readAllBytes(data.resolve("base/5/16385")))).containsExactly("F#0", "F#1");
        assertThat(data.resolve("base/7")).doesNotExist();
    }

    @Test
    void aBrokenChainIsRefusedBeforeAnythingIsWritten() {
        // I1 lost 16384: I2 cannot be rebuilt on F.
        SyntheticChain.Backup broken = new SyntheticChain.Backup("I1", "F", 1).skeleton().dir("base", "base/5")
                .file("base", "base/5/16386", SyntheticChain.pages("I1"));
        List<BackupRow> chain = List.of(full().store(repository), broken.store(repository), second().store(repository));
        Path data = temp.resolve("broken/data");
        Path tablespace = temp.resolve("broken/extra");

        assertThatThrownBy(() -> new RestoreExport(repository, SyntheticChain.plan(chain), options(data, tablespace),
                Clock.systemUTC()).run()).isInstanceOfSatisfying(CellarException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.OBJECT_CORRUPT);
                    assertThat(e.getMessage()).isEqualTo("cannot rebuild base/5/16384: backup I1 holds neither"
                            + " base/5/16384 nor base/5/INCREMENTAL.16384, which backup I2 builds on");
                });
        assertThat(temp.resolve("broken")).doesNotExist();
    }

    @Test
    void aDamagedIncrementalFileFailsTheRestoreAndEverythingWrittenIsRemoved() throws IOException {
        // The header promises two pages; the file holds one.
        byte[] damaged = incremental("I2", 3, 0, 2);
        damaged = java.util.Arrays.copyOf(damaged, damaged.length - SyntheticChain.BLOCK);
        SyntheticChain.Backup second = second();
        second.archives.get("base").removeIf(e -> e[0].equals("base/5/INCREMENTAL.16390"));
        second.file("base", "base/5/INCREMENTAL.16390", damaged);
        List<BackupRow> chain = List.of(full().store(repository), first().store(repository),
                second.store(repository));
        Path data = temp.resolve("damaged/data");
        Path tablespace = Files.createDirectories(temp.resolve("damaged/extra"));

        assertThatThrownBy(() -> new RestoreExport(repository, SyntheticChain.plan(chain), options(data, tablespace),
                Clock.systemUTC()).run()).isInstanceOfSatisfying(CellarException.class,
                        e -> assertThat(e.getMessage()).contains("INCREMENTAL.16390"));
        assertThat(data).doesNotExist();
        assertThat(tablespace).isEmptyDirectory(); // it was there before: emptied, kept
    }

    @Test
    void aChainTheRepositoryDoesNotConfirmIsRefused() {
        BackupRow full = full().store(repository);
        first().store(repository);
        BackupRow second = second().store(repository);
        Path data = temp.resolve("skipped/data");

        assertThatThrownBy(() -> new RestoreExport(repository, SyntheticChain.plan(List.of(full, second)),
                options(data, temp.resolve("skipped/extra")), Clock.systemUTC()).run())
                .isInstanceOfSatisfying(CellarException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.RESTORE_FAILED);
                    assertThat(e.getMessage()).isEqualTo("cluster c1: the chain of backup I2 is inconsistent: in the"
                            + " repository, backup I2 builds on I1, but the catalog chains it after F");
                });
        assertThat(temp.resolve("skipped")).doesNotExist();
    }

    @Test
    void checkRefusesWhatRunWouldRefuseAndWritesNothing() throws IOException {
        List<BackupRow> chain = List.of(full().store(repository), first().store(repository));
        Path data = temp.resolve("checked/data");
        Path tablespace = Files.createDirectories(temp.resolve("checked/extra"));
        new RestoreExport(repository, SyntheticChain.plan(chain), options(data, tablespace), Clock.systemUTC()).check();
        assertThat(data).doesNotExist();

        Files.writeString(tablespace.resolve("PG_VERSION"), "17");
        assertThatThrownBy(() -> new RestoreExport(repository, SyntheticChain.plan(chain), options(data, tablespace),
                Clock.systemUTC()).check()).isInstanceOfSatisfying(CellarException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.RESTORE_FAILED);
                    assertThat(e.getMessage()).isEqualTo("the location of tablespace \"extra\" "
                            + tablespace.toAbsolutePath() + " is not empty (it holds PG_VERSION)");
                });
        ExportOptions unknownDatabase = options(data, temp.resolve("checked/other")).withDatabases(Set.of("nope"));
        assertThatThrownBy(() -> new RestoreExport(repository, SyntheticChain.plan(chain), unknownDatabase,
                Clock.systemUTC()).check()).hasMessageContaining("has no database nope");
        assertThat(data).doesNotExist();
        assertThat(temp.resolve("checked/other")).doesNotExist();
    }

    private static Set<String> files(Path root) throws IOException {
        Set<String> files = new TreeSet<>();
        try (Stream<Path> walk = Files.walk(root)) {
            walk.filter(p -> Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS))
                    .forEach(p -> files.add(root.relativize(p).toString()));
        }
        return files;
    }
}
