package dev.cellar.storage.repository;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cellar.core.CellarException;
import dev.cellar.core.ErrorCode;
import dev.cellar.core.Lsn;
import dev.cellar.core.TimelineHistory;
import dev.cellar.core.TimelineId;
import dev.cellar.core.WalSegmentName;
import dev.cellar.core.WalSegmentSize;
import dev.cellar.storage.ObjectKey;
import dev.cellar.storage.ObjectNotFoundException;
import dev.cellar.storage.WriteOptions;
import dev.cellar.storage.codec.Codec;
import dev.cellar.storage.codec.StoredObject;
import dev.cellar.storage.io.Sha256;
import dev.cellar.storage.local.LocalStore;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RepositoryTest {
    static final WalSegmentSize ONE_MB = WalSegmentSize.of(1 << 20);
    static final Instant T0 = Instant.parse("2026-11-21T06:00:00Z");

    @TempDir
    Path root;
    LocalStore store;
    Repository repo;

    @BeforeEach
    void open() {
        store = LocalStore.open(root);
        repo = new Repository(store);
    }

    static ClusterInfo cluster(String name, String sysid) {
        return ClusterInfo.of(name, sysid, 170011, ONE_MB, T0);
    }

    @Test
    void registersAClusterOnceAndRefusesAnotherSystemIdentifier() {
        repo.registerCluster(cluster("c1", "7312345678901234567"));
        assertThat(repo.registerCluster(cluster("c1", "7312345678901234567"))).isEqualTo(cluster("c1", "7312345678901234567"));
        assertThat(repo.cluster("c1")).contains(cluster("c1", "7312345678901234567"));
        assertThat(repo.cluster("c2")).isEmpty();

        assertThatThrownBy(() -> repo.registerCluster(cluster("c1", "1111")))
                .isInstanceOfSatisfying(CellarException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.SYSTEM_IDENTIFIER_MISMATCH);
                    assertThat(e.getMessage()).isEqualTo("cluster c1: the server has system identifier 1111 but the"
                            + " repository holds cluster 7312345678901234567");
                });
    }

    @Test
    void clusterJsonIsReadableTextEndingInItsChecksum() throws IOException {
        repo.registerCluster(cluster("c1", "7312345678901234567"));
        String text = Files.readString(root.resolve("clusters/c1/cluster.json"));

        assertThat(text).startsWith("""
                {
                  "format" : 1,
                  "name" : "c1",
                  "systemIdentifier" : "7312345678901234567",
                  "serverVersionNum" : 170011,
                  "walSegmentSize" : 1048576,
                  "createdAt" : "2026-11-21T06:00:00Z",
                  "checksum" : \"""").endsWith("\"\n}\n");
        String covered = text.substring(0, text.indexOf("  \"checksum\""));
        assertThat(text).contains(Sha256.hex(covered.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void aDamagedTruncatedOrNewerDocumentIsReportedNotRead() throws IOException {
        repo.registerCluster(cluster("c1", "7312345678901234567"));
        Path file = root.resolve("clusters/c1/cluster.json");
        String good = Files.readString(file);

        Files.writeString(file, good.replace("170011", "170012"));
        assertThatThrownBy(() -> repo.cluster("c1")).isInstanceOfSatisfying(CellarException.class, e -> {
            assertThat(e.code()).isEqualTo(ErrorCode.OBJECT_CORRUPT);
            assertThat(e.getMessage()).startsWith("clusters/c1/cluster.json is damaged: its content has SHA-256 ")
                    .contains("but the document records");
        });

        Files.writeString(file, good.substring(0, good.length() - 10));
        assertThatThrownBy(() -> repo.cluster("c1")).hasMessage("clusters/c1/cluster.json has no checksum line at its"
                + " end: it is truncated or was not written by Cellar");

        byte[] newer = ChecksummedDocument.write(new ClusterInfo(2, "c1", "1", 170011, 1 << 20, T0));
        Files.write(file, newer);
        assertThatThrownBy(() -> repo.cluster("c1")).isInstanceOfSatisfying(CellarException.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_VALUE))
                .hasMessage("clusters/c1/cluster.json has format 2, newer than this Cellar reads (up to 1)");
    }

    @Test
    void listsClusterNamesWithoutListingTheirObjects() {
        for (String name : List.of("a", "a-x", "a0", "b_1")) {
            repo.registerCluster(cluster(name, "42"));
            putSegment(name, 1, 3, Codec.NONE, 7);
        }
        assertThat(repo.clusterNames()).containsExactly("a", "a-x", "a0", "b_1");
    }

    @Test
    void historiesAreStoredOnceAndAConflictingOneIsRefused() {
        repo.registerCluster(cluster("c1", "42"));
        TimelineHistory two = TimelineHistory.initial().branch(TimelineId.of(2), Lsn.parse("0/3000000"),
                "no recovery target specified");

        StoredHistory stored = repo.putHistory("c1", two);
        assertThat(repo.putHistory("c1", two)).isEqualTo(stored);
        assertThat(stored.key().value()).matches("clusters/c1/timelines/00000002-[0-9a-f]{64}\\.history");
        assertThat(repo.histories("c1")).extracting(StoredHistory::history).containsExactly(two);

        TimelineHistory other = TimelineHistory.initial().branch(TimelineId.of(2), Lsn.parse("0/4000000"), "split");
        assertThatThrownBy(() -> repo.putHistory("c1", other)).isInstanceOfSatisfying(CellarException.class, e -> {
            assertThat(e.code()).isEqualTo(ErrorCode.WAL_INVALID);
            assertThat(e.getMessage()).startsWith("cluster c1: timeline 2 history differs from the one stored as "
                    + stored.key());
        });
        assertThat(repo.histories("c1")).hasSize(1);
    }

    @Test
    void walSegmentsRoundTripAndAreListedFromTheirNames() throws IOException {
        repo.registerCluster(cluster("c1", "42"));
        byte[] bytes = segmentBytes(1);
        Repository.WalPut put = putSegment("c1", 1, 3, Codec.parse("zstd:3"), 1);

        assertThat(put.alreadyStored()).isFalse();
        assertThat(put.wal().key().value()).isEqualTo("clusters/c1/wal/00000001/000000010000000000000003-"
                + sha(bytes) + ".zst");
        assertThat(repo.walSegments("c1")).containsExactly(put.wal());
        try (InputStream in = repo.openWal(put.wal())) {
            assertThat(in.readAllBytes()).isEqualTo(bytes);
        }
        StoredObject verified = repo.verifyWal(put.wal());
        assertThat(verified).isEqualTo(new StoredObject(put.wal().key(), Codec.parse("zstd"), bytes.length, sha(bytes),
                put.object().orElseThrow().storedSize(), put.object().orElseThrow().storedSha256()));
        assertThat(repo.findWal("c1", put.wal().segment(), false)).contains(put.wal());
        assertThat(repo.findWal("c1", put.wal().segment(), true)).isEmpty();
    }

    @Test
    void theSameSegmentAgainIsHarmlessButDifferentBytesAreRefused() {
        repo.registerCluster(cluster("c1", "42"));
        Repository.WalPut first = putSegment("c1", 1, 3, Codec.NONE, 1);

        Repository.WalPut again = putSegment("c1", 1, 3, Codec.parse("zstd:1"), 1);
        assertThat(again.alreadyStored()).isTrue();
        assertThat(again.wal()).isEqualTo(first.wal());

        assertThatThrownBy(() -> putSegment("c1", 1, 3, Codec.NONE, 2)).isInstanceOfSatisfying(CellarException.class,
                e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.WAL_INVALID);
                    assertThat(e.getMessage()).contains("WAL segment 000000010000000000000003 arrived with SHA-256")
                            .contains("holds different bytes");
                });
        assertThat(repo.walSegments("c1")).containsExactly(first.wal());
    }

    @Test
    void aSegmentWhoseBytesDoNotMatchTheGivenChecksumIsNotKept() {
        repo.registerCluster(cluster("c1", "42"));
        WalSegmentName name = WalSegmentName.parse("000000010000000000000003", ONE_MB);
        byte[] bytes = segmentBytes(1);

        assertThatThrownBy(() -> repo.putWal("c1", name, false, new ByteArrayInputStream(bytes), bytes.length,
                sha(segmentBytes(2)), Codec.NONE)).hasMessageContaining("changed while being stored");
        assertThat(repo.walSegments("c1")).isEmpty();
    }

    @Test
    void flippedBitsTruncationAndMissingWalObjectsAreDetected() throws IOException {
        repo.registerCluster(cluster("c1", "42"));
        StoredWal zstd = putSegment("c1", 1, 3, Codec.parse("zstd:3"), 1).wal();
        StoredWal plain = putSegment("c1", 1, 4, Codec.NONE, 2).wal();

        flipOneBit(root.resolve(zstd.key().value()), 100);
        assertThatThrownBy(() -> repo.verifyWal(zstd)).isInstanceOfSatisfying(CellarException.class, e -> {
            assertThat(e.code()).isEqualTo(ErrorCode.OBJECT_CORRUPT);
            assertThat(e.getMessage()).startsWith("WAL object " + zstd.key() + " in local store");
        });

        flipOneBit(root.resolve(plain.key().value()), 5000);
        assertThatThrownBy(() -> repo.verifyWal(plain)).isInstanceOfSatisfying(CellarException.class,
                e -> assertThat(e.getMessage()).contains("is damaged: its content has SHA-256")
                        .contains("but its name records " + plain.name().logicalSha256()));

        StoredWal truncated = putSegment("c1", 1, 5, Codec.NONE, 3).wal();
        Path file = root.resolve(truncated.key().value());
        Files.write(file, java.util.Arrays.copyOf(Files.readAllBytes(file), (1 << 20) - 1));
        assertThatThrownBy(() -> repo.verifyWal(truncated)).hasMessageContaining("is damaged");

        StoredWal missing = putSegment("c1", 1, 6, Codec.NONE, 4).wal();
        Files.delete(root.resolve(missing.key().value()));
        assertThatThrownBy(() -> repo.verifyWal(missing)).isInstanceOf(ObjectNotFoundException.class)
                .hasMessageContaining(missing.key().value());
    }

    @Test
    void aBackupIsCompleteOnlyOnceCommittedAndDeletionRemovesTheMarkerFirst() throws IOException {
        repo.registerCluster(cluster("c1", "42"));
        StoredObject manifest = repo.putBackupObject("c1", "20261121-060000F", "backup_manifest",
                new ByteArrayInputStream("{}".getBytes(StandardCharsets.UTF_8)), Codec.parse("zstd:3"));
        StoredObject chunk = repo.putBackupObject("c1", "20261121-060000F", "data/base/00001.zst",
                new ByteArrayInputStream(segmentBytes(9)), Codec.parse("zstd:3"));
        repo.putBackupObject("c1", "20261122-060000F", "backup_manifest",
                new ByteArrayInputStream("{}".getBytes(StandardCharsets.UTF_8)), Codec.NONE);

        assertThat(repo.backups("c1")).containsExactly(new BackupListing.Incomplete("c1", "20261121-060000F"),
                new BackupListing.Incomplete("c1", "20261122-060000F"));

        BackupInfo info = backup("20261121-060000F", manifest, List.of(new BackupInfo.BackupObject("chunk", "base", 1, chunk)));
        repo.commitBackup(info);

        assertThat(repo.backup("c1", "20261121-060000F")).contains(info);
        assertThat(repo.backups("c1")).containsExactly(new BackupListing.Complete("c1", "20261121-060000F", info),
                new BackupListing.Incomplete("c1", "20261122-060000F"));
        try (InputStream in = repo.openBackupObject(chunk)) {
            assertThat(in.readAllBytes()).isEqualTo(segmentBytes(9));
        }
        assertThatThrownBy(() -> repo.commitBackup(info)).isInstanceOf(dev.cellar.storage.ObjectExistsException.class);

        Files.writeString(root.resolve("clusters/c1/backups/20261121-060000F/backup.json"), "{\"format\":1}");
        assertThat(repo.backups("c1").getFirst()).isInstanceOf(BackupListing.Damaged.class);

        repo.deleteBackup("c1", "20261121-060000F");
        assertThat(repo.backups("c1")).containsExactly(new BackupListing.Incomplete("c1", "20261122-060000F"));
        repo.deleteBackup("c1", "20261121-060000F");
    }

    @Test
    void aCommitListingAMissingObjectFailsAndLeavesTheBackupIncomplete() {
        repo.registerCluster(cluster("c1", "42"));
        StoredObject manifest = repo.putBackupObject("c1", "b1", "backup_manifest",
                new ByteArrayInputStream(new byte[10]), Codec.NONE);
        StoredObject ghost = new StoredObject(ObjectKey.of("clusters/c1/backups/b1/data/base/00001.zst"), Codec.NONE,
                5, sha(new byte[5]), 5, sha(new byte[5]));

        assertThatThrownBy(() -> repo.commitBackup(backup("b1", manifest,
                List.of(new BackupInfo.BackupObject("chunk", "base", 1, ghost)))))
                .hasMessage("backup b1 of cluster c1: object clusters/c1/backups/b1/data/base/00001.zst is missing at commit");
        assertThat(repo.backups("c1")).containsExactly(new BackupListing.Incomplete("c1", "b1"));
    }

    @Test
    void latestWalIsTheHighestSegmentOfTheHighestTimeline() {
        repo.registerCluster(cluster("c1", "42"));
        assertThat(repo.latestWal("c1")).isEmpty();
        putSegment("c1", 1, 3, Codec.NONE, 1);
        putSegment("c1", 1, 4, Codec.NONE, 2);
        assertThat(repo.latestWal("c1")).hasValueSatisfying(w -> assertThat(w.segment().segmentNumber()).isEqualTo(4));
        Repository.WalPut tl2 = putSegment("c1", 2, 4, Codec.NONE, 3);
        assertThat(repo.latestWal("c1")).contains(tl2.wal());
    }

    @Test
    void gapsAreKeptInTheRepositoryOnceEach() {
        repo.registerCluster(cluster("c1", "42"));
        WalGap gap = WalGap.of("c1", TimelineId.of(2), Lsn.parse("0/5000000"), Lsn.parse("0/9000000"), T0,
                "slot cellar_c1 was missing after a failover");

        assertThat(repo.recordGap("c1", gap)).isEqualTo(gap);
        WalGap later = WalGap.of("c1", TimelineId.of(2), Lsn.parse("0/5000000"), Lsn.parse("0/9000000"),
                T0.plusSeconds(60), "seen again");
        assertThat(repo.recordGap("c1", later)).isEqualTo(gap);
        assertThat(repo.gaps("c1")).containsExactly(gap);
        assertThat(root.resolve("clusters/c1/gaps/00000002-0000000005000000-0000000009000000.json")).exists();
    }

    private BackupInfo backup(String id, StoredObject manifest, List<BackupInfo.BackupObject> objects) {
        return new BackupInfo(1, id, "c1", BackupInfo.Kind.FULL, null, "test", "42", 170011,
                BackupInfo.Source.PRIMARY, TimelineId.of(1), Lsn.parse("0/3000028"), Lsn.parse("0/3000060"),
                TimelineId.of(1), Lsn.parse("0/3000138"), T0, T0.plusSeconds(5),
                List.of(new BackupInfo.Tablespace(16390, "extra", "/srv/pg/extra")),
                List.of(new BackupInfo.Database(5, "postgres"), new BackupInfo.Database(16384, "app")),
                manifest, objects, 1234, 567);
    }

    private Repository.WalPut putSegment(String cluster, long tli, long segno, Codec codec, int seed) {
        byte[] bytes = segmentBytes(seed);
        WalSegmentName name = new WalSegmentName(TimelineId.of(tli), segno, ONE_MB);
        return repo.putWal(cluster, name, false, new ByteArrayInputStream(bytes), bytes.length, sha(bytes), codec);
    }

    static byte[] segmentBytes(int seed) {
        byte[] bytes = new byte[1 << 20];
        Random random = new Random(seed);
        for (int i = 0; i < bytes.length; i += 64) {
            bytes[i] = (byte) random.nextInt();
        }
        return bytes;
    }

    static String sha(byte[] bytes) {
        return Sha256.hex(bytes);
    }

    static void flipOneBit(Path file, int offset) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        bytes[offset] ^= 0x10;
        Files.write(file, bytes);
    }
}
