package dev.cellar.core.wal;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;

import dev.cellar.core.Lsn;
import dev.cellar.core.wal.BlockReference.BlockImage;
import dev.cellar.core.wal.BlockReference.Compression;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Records of real PostgreSQL 15–18 WAL: every record as pg_waldump sees it, and their fragment headers. */
class RealServerWalRecordsTest {

    /** rmgrlist.h: resource manager ids and the names pg_waldump prints. */
    private static final Map<String, Integer> RESOURCE_MANAGERS = Map.ofEntries(
            Map.entry("XLOG", 0), Map.entry("Transaction", 1), Map.entry("Storage", 2), Map.entry("CLOG", 3),
            Map.entry("Database", 4), Map.entry("Tablespace", 5), Map.entry("MultiXact", 6), Map.entry("RelMap", 7),
            Map.entry("Standby", 8), Map.entry("Heap2", 9), Map.entry("Heap", 10), Map.entry("Btree", 11),
            Map.entry("Hash", 12), Map.entry("Gin", 13), Map.entry("Gist", 14), Map.entry("Sequence", 15),
            Map.entry("SPGist", 16), Map.entry("BRIN", 17), Map.entry("CommitTs", 18), Map.entry("ReplicationOrigin", 19),
            Map.entry("Generic", 20), Map.entry("LogicalMessage", 21));
    private static final int RM_LOGICALMSG = 21;

    private record Seen(Lsn start, int resourceManager, long totalLength, long xid) {
    }

    static List<WalRecord> records(TargetFixture fixture) {
        List<WalRecord> records = new ArrayList<>();
        WalRecordReader reader = WalRecordReader.builder().systemIdentifier(Long.parseUnsignedLong(fixture.get("system_identifier")))
                .build(records::add);
        for (int i = 0; i < fixture.segments().size(); i++) {
            reader.readSegment(fixture.segments().get(i), ByteBuffer.wrap(fixture.bytes(i)));
        }
        return records;
    }

    @Test
    void everyRecordIsWherePostgresOwnReaderFindsIt() {
        TargetFixture fixture = TargetFixture.load(15);
        // pg_waldump 15.18 over the same segments: "start rmgr xl_tot_len xid" per record.
        List<Seen> expected = new String(fixture.file("pg_waldump.txt.gz"), US_ASCII).lines().map(line -> {
            String[] f = line.split(" ");
            assertThat(RESOURCE_MANAGERS).containsKey(f[1]);
            return new Seen(Lsn.parse(f[0]), RESOURCE_MANAGERS.get(f[1]), Long.parseLong(f[2]), Long.parseLong(f[3]));
        }).toList();
        List<Seen> seen = records(fixture).stream()
                .map(r -> new Seen(r.start(), r.resourceManager(), r.header().totalLength(), r.xid())).toList();
        assertThat(expected).hasSizeGreaterThan(500);
        assertThat(seen).isEqualTo(expected);
    }

    @ParameterizedTest(name = "PostgreSQL {0}")
    @ValueSource(ints = {15, 16, 17, 18})
    void recordsLinkAndFollowEachOther(int major) {
        List<WalRecord> records = records(TargetFixture.load(major));
        for (int i = 1; i < records.size(); i++) {
            WalRecord previous = records.get(i - 1);
            WalRecord record = records.get(i);
            assertThat(record.header().previous()).isEqualTo(previous.start());
            // The next record starts where the previous ended, after a page header if one comes first.
            long gap = record.start().minus(previous.end());
            assertThat(gap).as("after %s", previous.start()).isIn(0L, 24L, 40L);
            assertThat(record.major()).isEqualTo(major);
        }
    }

    @ParameterizedTest(name = "PostgreSQL {0}")
    @ValueSource(ints = {15, 16, 17, 18})
    void fullPageImagesWithHolesUncompressedAndCompressed(int major) {
        TargetFixture fixture = TargetFixture.load(major);
        List<BlockImage> images = records(fixture).stream().flatMap(r -> r.layout().blocks().stream())
                .flatMap(b -> b.image().stream()).toList();
        assertThat(images).anySatisfy(image -> {
            assertThat(image.compression()).isEqualTo(Compression.NONE);
            assertThat(image.hasHole()).isTrue();
            assertThat(image.length() + image.holeLength()).isEqualTo(8192);
        });
        assertThat(images).anySatisfy(image -> {
            assertThat(image.compression()).isEqualTo(Compression.PGLZ);
            assertThat(image.length()).isLessThan(8192 - image.holeLength());
        });
        // The zonky builds of 16-18 lack lz4 and zstd; Debian's 15 has both.
        for (Compression c : new Compression[] {Compression.LZ4, Compression.ZSTD}) {
            if (fixture.has("compression." + c.name().toLowerCase())) {
                assertThat(images).anySatisfy(image -> assertThat(image.compression()).isEqualTo(c));
            }
        }
    }

    /** The GiST build logs its pages as XLOG_FPI records with up to 32 block references of one relation. */
    @ParameterizedTest(name = "PostgreSQL {0}")
    @ValueSource(ints = {15, 16, 17, 18})
    void aRecordWithManyBlocksOfOneRelation(int major) {
        WalRecord fpi = records(TargetFixture.load(major)).stream()
                .filter(r -> r.resourceManager() == WalRecordHeader.RM_XLOG && r.layout().blocks().size() > 8)
                .findFirst().orElseThrow();
        List<BlockReference> blocks = fpi.layout().blocks();
        assertThat(blocks.get(0).hasFlag(BlockReference.SAME_REL)).isFalse();
        assertThat(blocks.subList(1, blocks.size())).allSatisfy(b -> {
            assertThat(b.hasFlag(BlockReference.SAME_REL)).isTrue();
            assertThat(b.relation()).isEqualTo(blocks.get(0).relation());
            assertThat(b.image()).isPresent();
        });
        assertThat(blocks).extracting(BlockReference::blockId).isSorted();
        assertThat(blocks.size()).isLessThanOrEqualTo(WalRecordLayout.MAX_BLOCK_ID + 1);
    }

    @ParameterizedTest(name = "PostgreSQL {0}")
    @ValueSource(ints = {15, 16, 17, 18})
    void originAndTopLevelXidBlocks(int major) {
        TargetFixture fixture = TargetFixture.load(major);
        List<WalRecord> records = records(fixture);
        long originXid = fixture.number("origin_commit.xid");
        WalRecord originCommit = records.stream()
                .filter(r -> r.resourceManager() == WalRecordHeader.RM_XACT && r.xid() == originXid && (r.info() & 0x70) == 0)
                .findFirst().orElseThrow();
        assertThat(originCommit.layout().origin()).isEqualTo(OptionalInt.of((int) fixture.number("origin_commit.origin_id")));
        // wal_level = logical: the first record of the subtransaction names its top-level transaction.
        long commitXid = fixture.number("commit.xid");
        assertThat(records).filteredOn(r -> r.layout().toplevelXid().equals(OptionalLong.of(commitXid)))
                .singleElement().satisfies(r -> assertThat(r.xid()).isNotEqualTo(commitXid));
        assertThat(records).filteredOn(r -> r.layout().origin().isPresent()).allSatisfy(r -> assertThat(r.xid()).isEqualTo(originXid));
    }

    @ParameterizedTest(name = "PostgreSQL {0}")
    @ValueSource(ints = {15, 16, 17, 18})
    void aLogicalMessageOf2Point4MbAcrossThreeSegments(int major) {
        TargetFixture fixture = TargetFixture.load(major);
        WalRecord message = records(fixture).stream().filter(r -> r.resourceManager() == RM_LOGICALMSG)
                .findFirst().orElseThrow();
        assertThat(message.start()).isGreaterThanOrEqualTo(fixture.lsn("message.before"));
        assertThat(message.end()).isEqualTo(fixture.lsn("message.end"));
        assertThat(message.start()).isLessThan(fixture.segments().get(1).startLsn());
        assertThat(message.end()).isGreaterThan(fixture.segments().get(2).startLsn());
        assertThat(message.layout().headersLength()).isEqualTo(24 + 5); // XLR_BLOCK_ID_DATA_LONG
        assertThat(message.layout().mainDataLength()).isGreaterThan(2_400_000).isEqualTo(message.header().totalLength() - 29);
        assertThat(message.mainData()).isEmpty();
    }
}
