package dev.cellar.storage.backup;

import static dev.cellar.storage.backup.BackupWriterTest.CLUSTER;
import static dev.cellar.storage.backup.BackupWriterTest.ID;
import static dev.cellar.storage.backup.BackupWriterTest.feed;
import static dev.cellar.storage.backup.BackupWriterTest.info;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cellar.core.CellarException;
import dev.cellar.core.ErrorCode;
import dev.cellar.core.backup.ChecksumAlgorithm;
import dev.cellar.storage.codec.Codec;
import dev.cellar.storage.codec.StoredObject;
import dev.cellar.storage.local.LocalStore;
import dev.cellar.storage.repository.BackupInfo;
import dev.cellar.storage.repository.Repository;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BackupFilesTest {
    @TempDir
    Path temp;
    LocalStore store;
    Repository repository;

    @BeforeEach
    void open() throws IOException {
        store = LocalStore.open(Files.createDirectories(temp.resolve("repo")));
        repository = new Repository(store);
    }

    /** Backs up one base archive and commits it. */
    BackupInfo backup(SentArchive base, Codec codec, BackupWriterSettings settings) {
        try (BackupWriter writer = new BackupWriter(repository, CLUSTER, ID, codec, settings)) {
            try (ArchiveSink sink = writer.openArchive("base")) {
                feed(sink, base.finish(), 65536);
            }
            writer.putManifest(new ByteArrayInputStream("manifest".getBytes(StandardCharsets.UTF_8)));
            BackupInfo info = info(writer.finish());
            repository.commitBackup(info);
            return info;
        }
    }

    static SentArchive smallBase(Random random) {
        return new SentArchive("base")
                .dir("global")
                .file("global/pg_control", BackupWriterTest.random(random, 3000))
                .file("global/1262", BackupWriterTest.random(random, 3000))
                .file("PG_VERSION", "16\n".getBytes(StandardCharsets.UTF_8));
    }

    void flipByte(StoredObject object, long position) throws IOException {
        try (RandomAccessFile file = new RandomAccessFile(store.pathOf(object.key()).toFile(), "rw")) {
            file.seek(position);
            int b = file.read();
            file.seek(position);
            file.write(b ^ 0x40);
        }
    }

    static StoredObject chunk(BackupInfo info, int sequence) {
        return info.objects().stream().filter(o -> o.role().equals("chunk") && o.sequence() == sequence)
                .findFirst().orElseThrow().object();
    }

    @Test
    void aCorruptedChunkIsDetectedWhenReadingAFileOrExtracting() throws IOException {
        BackupInfo info = backup(smallBase(new Random(1)), BackupWriterTest.ZSTD, BackupWriterTest.SMALL);
        StoredObject damaged = chunk(info, 0);
        flipByte(damaged, damaged.storedSize() / 2);

        BackupFiles files = BackupFiles.open(repository, info); // the index is intact
        BackupEntry control = files.find("base", "global/pg_control").orElseThrow();
        assertThatThrownBy(() -> {
            try (InputStream in = files.openFile(control)) {
                in.readAllBytes();
            }
        }).isInstanceOfSatisfying(CellarException.class, e -> {
            assertThat(e.code()).isEqualTo(ErrorCode.OBJECT_CORRUPT);
            assertThat(e.getMessage()).startsWith("object " + damaged.key() + " in local store ")
                    .contains("stored SHA-256 ").contains("does not match the recorded " + damaged.storedSha256());
        });
        // A file only in the other chunk reads fine.
        BackupEntry version = files.find("base", "PG_VERSION").orElseThrow();
        assertThat(files.chunks("base").get(1).ranges()).anyMatch(r -> r.file().equals(version));
        try (InputStream in = files.openFile(version)) {
            assertThat(in.readAllBytes()).isEqualTo("16\n".getBytes(StandardCharsets.UTF_8));
        }

        assertThatThrownBy(() -> files.extractArchive("base", temp.resolve("out")))
                .isInstanceOfSatisfying(CellarException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.OBJECT_CORRUPT));
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(2);
        try {
            assertThatThrownBy(() -> files.extractArchive("base", temp.resolve("parallel"), pool))
                    .isInstanceOfSatisfying(CellarException.class,
                            e -> assertThat(e.code()).isEqualTo(ErrorCode.OBJECT_CORRUPT));
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void zeroedFilesGetTheirSizeButNoContentAndTheirChunksAreNotRead() throws IOException {
        // SMALL chunks are 4 KiB: pg_control's 3000 bytes share a chunk with others, 1262 spans two.
        BackupInfo info = backup(smallBase(new Random(11)), BackupWriterTest.ZSTD, BackupWriterTest.SMALL);
        BackupFiles files = BackupFiles.open(repository, info);
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(2);
        try {
            Path out = temp.resolve("selective");
            files.extractArchive("base", out, Extraction.on(pool).zeroing(entry -> entry.path().equals("global/1262")));
            assertThat(Files.size(out.resolve("global/1262"))).isEqualTo(3000);
            assertThat(Files.readAllBytes(out.resolve("global/1262"))).containsOnly(0);
            try (InputStream in = files.openFile(files.find("base", "global/pg_control").orElseThrow())) {
                assertThat(Files.readAllBytes(out.resolve("global/pg_control"))).isEqualTo(in.readAllBytes());
            }
            assertThat(Files.readString(out.resolve("PG_VERSION"))).isEqualTo("16\n");

            // Every chunk damaged: extracting everything zeroed never reads one.
            for (BackupInfo.BackupObject object : info.objects()) {
                if (object.role().equals("chunk")) {
                    flipByte(object.object(), object.object().storedSize() / 2);
                }
            }
            Path none = temp.resolve("none");
            files.extractArchive("base", none, Extraction.on(pool).zeroing(entry -> true));
            assertThat(Files.size(none.resolve("global/pg_control"))).isEqualTo(3000);
            assertThatThrownBy(() -> files.extractArchive("base", temp.resolve("all"), Extraction.on(pool)))
                    .isInstanceOfSatisfying(CellarException.class,
                            e -> assertThat(e.code()).isEqualTo(ErrorCode.OBJECT_CORRUPT));
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void consecutiveZeroedFilesInsideOneChunkDoNotShiftTheFilesAfterThem() throws IOException {
        Random random = new Random(12);
        byte[] wanted = BackupWriterTest.random(random, 100);
        BackupInfo info = backup(new SentArchive("base").file("a", BackupWriterTest.random(random, 100))
                .file("b", BackupWriterTest.random(random, 100)).file("c", wanted), BackupWriterTest.ZSTD,
                BackupWriterTest.SMALL);
        BackupFiles files = BackupFiles.open(repository, info);
        assertThat(files.chunks("base")).hasSize(1);
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(2);
        try {
            Path out = temp.resolve("three");
            files.extractArchive("base", out, Extraction.on(pool).zeroing(entry -> !entry.path().equals("c")));
            assertThat(Files.readAllBytes(out.resolve("c"))).isEqualTo(wanted);
            assertThat(Files.readAllBytes(out.resolve("b"))).hasSize(100).containsOnly(0);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aCorruptedLargeChunkIsDetectedAtItsEndBeforeAnyOfItsBytesAreHandedOut() throws IOException {
        int size = 9 << 20; // stored uncompressed above VerifyingReader's 8 MiB limit: verified while streaming
        byte[] content = BackupWriterTest.random(new Random(2), size);
        SentArchive base = new SentArchive("base").file("big", content);
        BackupInfo info = backup(base, Codec.NONE, new BackupWriterSettings(size, 1, 1, 1 << 16, ChecksumAlgorithm.CRC32C));
        StoredObject damaged = chunk(info, 0);
        flipByte(damaged, size - 10);
        BackupFiles files = BackupFiles.open(repository, info);
        BackupEntry big = files.find("base", "big").orElseThrow();
        InputStream in = files.openFile(big);
        assertThatThrownBy(() -> in.read(new byte[10])) // the first read already checks the whole chunk
                .isInstanceOfSatisfying(CellarException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.OBJECT_CORRUPT));
        assertThatThrownBy(() -> files.extractArchive("base", temp.resolve("out")))
                .isInstanceOfSatisfying(CellarException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.OBJECT_CORRUPT));
    }

    @Test
    void aCorruptedIndexIsDetectedWhenOpening() throws IOException {
        BackupInfo info = backup(smallBase(new Random(3)), BackupWriterTest.ZSTD, BackupWriterTest.SMALL);
        StoredObject index = info.objects().getLast().object();
        flipByte(index, 3);
        assertThatThrownBy(() -> BackupFiles.open(repository, info))
                .isInstanceOfSatisfying(CellarException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.OBJECT_CORRUPT))
                .hasMessageStartingWith("object " + index.key());
    }

    @Test
    void anIndexThatNamesAPathOutsideTheTargetIsRefused() {
        String index = """
                {"format":2,"content":"cellar-backup-file-index","cluster":"c1","backup":"b1","chunkSize":4096,\
                "checksum":"SHA256","archives":[{"archive":"base","entries":2,"chunks":0,"contentSize":0}]}
                {"archive":"base","path":"global","type":"directory","mode":"0700","mtime":1}
                {"archive":"base","path":"../../etc/cron.d/x","type":"file","mode":"0600","mtime":1,"size":0,\
                "checksum":"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855","offset":0}
                """;
        BackupInfo info = handMade(index);
        assertThatThrownBy(() -> BackupFiles.open(repository, info))
                .isInstanceOfSatisfying(CellarException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.OBJECT_CORRUPT))
                .hasMessage("object clusters/c1/backups/b1/files.jsonl, line 3: archive base, entry"
                        + " \"../../etc/cron.d/x\": its name has a '..' component");
    }

    @Test
    void anIndexOfAnotherFormatIsRefusedByName() {
        BackupInfo info = handMade("""
                {"format":3,"content":"cellar-backup-file-index","cluster":"c1","backup":"b1","archives":[]}
                """);
        assertThatThrownBy(() -> BackupFiles.open(repository, info))
                .isInstanceOfSatisfying(CellarException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_VALUE))
                .hasMessage("object clusters/c1/backups/b1/files.jsonl has format 3, this Cellar reads format 2");
    }

    @Test
    void indexAndChunkListMustAgree() {
        BackupInfo info = handMade("""
                {"format":2,"content":"cellar-backup-file-index","cluster":"c1","backup":"b1","chunkSize":4096,\
                "checksum":"SHA256","archives":[{"archive":"base","entries":1,"chunks":1,"contentSize":5}]}
                {"archive":"base","path":"f","type":"file","mode":"0600","mtime":1,"size":5,\
                "checksum":"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855","offset":0}
                """);
        assertThatThrownBy(() -> BackupFiles.open(repository, info))
                .isInstanceOfSatisfying(CellarException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.OBJECT_CORRUPT))
                .hasMessage("backup b1 of cluster c1: backup.json lists 0 chunks of archive base but object"
                        + " clusters/c1/backups/b1/files.jsonl records 1");
    }

    /** A committed-looking BackupInfo around a hand-written index (stored uncompressed). */
    BackupInfo handMade(String index) {
        StoredObject indexObject = repository.putBackupObject(CLUSTER, ID, "files.jsonl",
                new ByteArrayInputStream(index.getBytes(StandardCharsets.UTF_8)), Codec.NONE);
        StoredObject manifest = repository.putBackupObject(CLUSTER, ID, "backup_manifest",
                new ByteArrayInputStream(new byte[1]), Codec.NONE);
        List<BackupInfo.BackupObject> objects = new ArrayList<>();
        objects.add(new BackupInfo.BackupObject("index", null, 0, indexObject));
        return info(new BackupContents(objects, Optional.of(manifest), List.of(), 0, 0));
    }

    @Test
    void extractsOnlyIntoAnEmptyDirectory() throws IOException {
        BackupInfo info = backup(smallBase(new Random(4)), BackupWriterTest.ZSTD, BackupWriterTest.SMALL);
        BackupFiles files = BackupFiles.open(repository, info);
        Path target = Files.createDirectories(temp.resolve("busy"));
        Files.writeString(target.resolve("postmaster.pid"), "1");
        assertThatThrownBy(() -> files.extractArchive("base", target))
                .isInstanceOfSatisfying(CellarException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.RESTORE_FAILED))
                .hasMessage("backup b1 of cluster c1: cannot extract archive base: " + target
                        + ": the target directory is not empty");
        assertThat(target.resolve("global")).doesNotExist();
        assertThatThrownBy(() -> files.extractArchive("16390", temp.resolve("x")))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("backup b1 of cluster c1 has no archive 16390");
    }

    @Test
    void opensOnlyFilesOfTheBackup() {
        BackupInfo info = backup(smallBase(new Random(5)), BackupWriterTest.ZSTD, BackupWriterTest.SMALL);
        BackupFiles files = BackupFiles.open(repository, info);
        BackupEntry global = files.find("base", "global").orElseThrow();
        assertThatThrownBy(() -> files.openFile(global)).isInstanceOf(IllegalArgumentException.class);
        BackupEntry control = files.find("base", "global/pg_control").orElseThrow();
        BackupEntry forged = new BackupEntry("base", "global/pg_control", EntryType.FILE, 0600, control.mtime(), 1,
                control.checksum(), null, 0);
        assertThatThrownBy(() -> files.openFile(forged)).isInstanceOf(IllegalArgumentException.class);
        assertThat(files.find("base", "nope")).isEmpty();
        assertThat(files.entries("16390")).isEmpty();
        assertThat(files.chunks("16390")).isEmpty();
        assertThat(control.manifestPath()).isEqualTo("global/pg_control");
        assertThat(new BackupEntry("16390", "PG_16_1/1/2", EntryType.FILE, 0600, 1, 0, "x", null, 0).manifestPath())
                .isEqualTo("pg_tblspc/16390/PG_16_1/1/2");
    }
}
