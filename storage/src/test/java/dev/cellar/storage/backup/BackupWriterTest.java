package dev.cellar.storage.backup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.github.luben.zstd.ZstdOutputStream;
import dev.cellar.core.CellarException;
import dev.cellar.core.ErrorCode;
import dev.cellar.core.backup.ChecksumAlgorithm;
import dev.cellar.core.Lsn;
import dev.cellar.core.TimelineId;
import dev.cellar.storage.ObjectInfo;
import dev.cellar.storage.ObjectKey;
import dev.cellar.storage.ObjectStore;
import dev.cellar.storage.codec.Codec;
import dev.cellar.storage.codec.StoredObject;
import dev.cellar.storage.io.Sha256;
import dev.cellar.storage.local.LocalStore;
import dev.cellar.storage.memory.InMemoryStore;
import dev.cellar.storage.repository.BackupInfo;
import dev.cellar.storage.repository.Repository;
import dev.cellar.storage.repository.RepositoryLayout;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.compressors.lz4.FramedLZ4CompressorOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

@Timeout(120)
class BackupWriterTest {
    static final String CLUSTER = "c1";
    static final String ID = "b1";
    static final int CHUNK = 4096;
    static final Codec ZSTD = new Codec.Zstd(3, 0);
    static final BackupWriterSettings SMALL = new BackupWriterSettings(CHUNK, 2, 4, 8192, ChecksumAlgorithm.SHA256);
    static final Instant T0 = Instant.parse("2026-11-21T06:00:00Z");
    static final String PREFIX = RepositoryLayout.backupPrefix(CLUSTER, ID);

    @TempDir
    Path temp;

    // ---- helpers ----------------------------------------------------------------------------

    static byte[] random(Random random, int size) {
        byte[] bytes = new byte[size];
        random.nextBytes(bytes);
        return bytes;
    }

    /** Feeds {@code tar} in pieces of {@code piece} bytes, alternating heap and (reused) direct buffers. */
    static void feed(ArchiveSink sink, byte[] tar, int piece) {
        ByteBuffer direct = ByteBuffer.allocateDirect(piece);
        int count = 0;
        for (int at = 0; at < tar.length; at += piece, count++) {
            int n = Math.min(piece, tar.length - at);
            if (count % 2 == 0) {
                ByteBuffer heap = ByteBuffer.wrap(tar, at, n);
                sink.write(heap);
                assertThat(heap.hasRemaining()).isFalse();
            } else {
                direct.clear();
                direct.put(tar, at, n).flip();
                sink.write(direct);
            }
        }
    }

    /** A tablespace archive whose first file is exactly one chunk. */
    static SentArchive tablespace(Random random) {
        return new SentArchive("16390")
                .dir("PG_16_202307071", 0700, TarBuilder.MTIME - 100)
                .dir("PG_16_202307071/16384")
                .file("PG_16_202307071/16384/16385", random(random, CHUNK))
                .file("PG_16_202307071/16384/16386", "tablespace table".repeat(500).getBytes(StandardCharsets.UTF_8))
                .file("PG_16_202307071/16384/16387", new byte[0]);
    }

    /** A data directory as PostgreSQL sends it, with every shape of entry. */
    static SentArchive base(Random random) {
        SentArchive base = new SentArchive("base")
                .file("backup_label", "START WAL LOCATION: 0/3000028 (file 000000010000000000000003)\n"
                        .getBytes(StandardCharsets.UTF_8), 0600, TarBuilder.MTIME)
                .file("postgresql.conf", "shared_buffers = 128MB\n".repeat(300).getBytes(StandardCharsets.UTF_8),
                        0640, TarBuilder.MTIME - 86_400)
                .dir("base", 0700, TarBuilder.MTIME - 5)
                .dir("base/1", 0700, TarBuilder.MTIME - 4);
        for (int i = 0; i < 300; i++) { // many tiny files, sharing chunks
            base.file("base/1/" + (16000 + i), random(random, random.nextInt(200)));
        }
        base.file("base/1/exact", random(random, CHUNK)) // exactly one chunk long, at an odd offset
                .file("base/1/big", random(random, 2 * CHUNK + 1)) // spans exactly 3 chunks wherever it starts
                .file("base/1/empty", new byte[0], 0644, TarBuilder.MTIME - 3)
                .dir("global", 0750, TarBuilder.MTIME - 2)
                .file("global/pg_control", random(random, 8192), 0600, TarBuilder.MTIME + 10)
                .dir("pg_wal", 0700, TarBuilder.MTIME)
                .dir("pg_wal/archive_status", 0700, TarBuilder.MTIME)
                .dir("pg_notify", 0700, TarBuilder.MTIME - 1000)
                .dir("pg_tblspc", 0700, TarBuilder.MTIME)
                .symlink("pg_tblspc/16390", "/srv/pg/ts")
                .dir("readonly", 0500, TarBuilder.MTIME - 7);
        base.file("readonly/file", "read only".getBytes(StandardCharsets.UTF_8), 0400, TarBuilder.MTIME - 8);
        return base;
    }

    static BackupInfo info(BackupContents contents) {
        return new BackupInfo(1, ID, CLUSTER, BackupInfo.Kind.FULL, null, "test", "42", 160004,
                BackupInfo.Source.PRIMARY, TimelineId.of(1), Lsn.parse("0/3000028"), Lsn.parse("0/3000060"),
                TimelineId.of(1), Lsn.parse("0/3000138"), T0, T0.plusSeconds(5),
                List.of(new BackupInfo.Tablespace(16390, "ts", "/srv/pg/ts")),
                List.of(new BackupInfo.Database(5, "postgres")), contents.manifest().orElseThrow(), contents.objects(),
                contents.logicalSize(), contents.storedSize());
    }

    static List<ObjectInfo> backupObjects(ObjectStore store) {
        return store.listAll(PREFIX).toList();
    }

    static void assertFailure(Throwable thrown, ErrorCode code, String message) {
        assertThat(thrown).isInstanceOf(CellarException.class);
        CellarException e = (CellarException) thrown;
        assertThat(e.code()).isEqualTo(code);
        assertThat(e.getMessage()).isEqualTo(message);
    }

    static Stream<Arguments> storesAndPieces() {
        return Stream.of(
                Arguments.of("local", 1, ZSTD, ChecksumAlgorithm.SHA256),
                Arguments.of("local", 7, ZSTD, ChecksumAlgorithm.CRC32C),
                Arguments.of("local", 4099, Codec.NONE, ChecksumAlgorithm.SHA256),
                Arguments.of("local", 65536, ZSTD, ChecksumAlgorithm.CRC32C),
                Arguments.of("memory", 13, Codec.NONE, ChecksumAlgorithm.CRC32C),
                Arguments.of("memory", 65536, ZSTD, ChecksumAlgorithm.SHA256));
    }

    ObjectStore store(String kind) throws IOException {
        if (kind.equals("memory")) {
            return new InMemoryStore();
        }
        return LocalStore.open(Files.createDirectories(temp.resolve("repo")));
    }

    // ---- round trips ------------------------------------------------------------------------

    @ParameterizedTest(name = "{0} store, {1}-byte pieces, {2}, {3}")
    @MethodSource("storesAndPieces")
    void storesArchivesAsChunksAndRestoresThemByteForByte(String kind, int piece, Codec codec,
                                                          ChecksumAlgorithm checksum) throws IOException {
        ObjectStore store = store(kind);
        Repository repository = new Repository(store);
        Random random = new Random(piece);
        SentArchive tablespace = tablespace(random);
        SentArchive base = base(random);
        byte[] tablespaceTar = tablespace.finish();
        byte[] baseTar = base.finish();
        byte[] manifest = "{ \"PostgreSQL-Backup-Manifest-Version\": 1 }\n".getBytes(StandardCharsets.UTF_8);

        BackupContents contents;
        try (BackupWriter writer = new BackupWriter(repository, CLUSTER, ID, codec, SMALL.withFileChecksum(checksum))) {
            try (ArchiveSink sink = writer.openArchive("16390")) {
                feed(sink, tablespaceTar, piece);
            }
            try (ArchiveSink sink = writer.openArchive("base")) {
                feed(sink, baseTar, piece);
            }
            StoredObject manifestObject = writer.putManifest(new ByteArrayInputStream(manifest));
            assertThat(manifestObject.key().value()).isEqualTo(PREFIX + "backup_manifest" + codec.fileSuffix());
            contents = writer.finish();

            BackupProgress progress = writer.progress();
            assertThat(progress.bytesReceived()).isEqualTo(tablespaceTar.length + baseTar.length);
            assertThat(progress.contentBytes()).isEqualTo(tablespace.contentSize() + base.contentSize());
            assertThat(progress.chunksStored()).isEqualTo((int) contents.objects().stream()
                    .filter(o -> o.role().equals("chunk")).count());
            assertThat(progress.bytesStored()).isEqualTo(contents.storedSize());
        }

        List<BackupEntry> expected = new ArrayList<>(tablespace.expected(checksum));
        expected.addAll(base.expected(checksum));
        assertThat(contents.entries()).containsExactlyElementsOf(expected);
        assertThat(contents.files()).allMatch(BackupEntry::isFile)
                .hasSize((int) expected.stream().filter(BackupEntry::isFile).count());
        assertThat(contents.logicalSize()).isEqualTo(tablespace.contentSize() + base.contentSize());
        assertThat(contents.storedSize()).isEqualTo(contents.objects().stream().mapToLong(o -> o.object().storedSize()).sum()
                + contents.manifest().orElseThrow().storedSize());

        repository.commitBackup(info(contents));
        BackupInfo committed = repository.backup(CLUSTER, ID).orElseThrow();
        BackupFiles files = BackupFiles.open(repository, committed);
        assertThat(files.checksumAlgorithm()).isEqualTo(checksum);
        assertThat(files.archives()).containsExactly("16390", "base");
        assertThat(files.entries()).containsExactlyElementsOf(expected);
        for (SentArchive archive : List.of(tablespace, base)) {
            for (SentArchive.Sent sent : archive.entries()) {
                if (sent.type() == EntryType.FILE) {
                    BackupEntry entry = files.find(archive.name, sent.path()).orElseThrow();
                    try (InputStream in = files.openFile(entry)) {
                        assertThat(in.readAllBytes()).as(sent.path()).isEqualTo(sent.content());
                    }
                }
            }
        }
        try (InputStream in = repository.openBackupObject(contents.manifest().orElseThrow())) {
            assertThat(in.readAllBytes()).isEqualTo(manifest);
        }

        Path restoredBase = temp.resolve("restore/base");
        Path restoredTablespace = temp.resolve("restore/ts");
        files.extractArchive("base", restoredBase);
        files.extractArchive("16390", restoredTablespace);
        assertExtracted(restoredBase, base);
        assertExtracted(restoredTablespace, tablespace);

        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(3);
        try {
            java.util.concurrent.atomic.AtomicLong written = new java.util.concurrent.atomic.AtomicLong();
            files.extractArchive("base", temp.resolve("parallel/base"),
                    Extraction.on(pool).reporting(written::addAndGet).syncingFiles(true));
            assertThat(written.get()).isEqualTo(base.contentSize());
            files.extractArchive("16390", temp.resolve("parallel/ts"), pool);
        } finally {
            pool.shutdownNow();
        }
        assertExtracted(temp.resolve("parallel/base"), base);
        assertExtracted(temp.resolve("parallel/ts"), tablespace);
    }

    static void assertExtracted(Path root, SentArchive archive) throws IOException {
        List<String> expectedPaths = new ArrayList<>();
        for (SentArchive.Sent sent : archive.entries()) {
            Path path = root.resolve(sent.path());
            expectedPaths.add(sent.path());
            assertThat(Files.getLastModifiedTime(path, LinkOption.NOFOLLOW_LINKS).toInstant())
                    .as("mtime of %s", sent.path()).isEqualTo(Instant.ofEpochSecond(sent.mtime()));
            switch (sent.type()) {
                case FILE -> {
                    assertThat(Files.isRegularFile(path, LinkOption.NOFOLLOW_LINKS)).isTrue();
                    assertThat(Files.readAllBytes(path)).as(sent.path()).isEqualTo(sent.content());
                    assertThat(Files.getPosixFilePermissions(path)).as("mode of %s", sent.path())
                            .isEqualTo(ArchiveExtractor.permissions(sent.mode()));
                }
                case DIRECTORY -> {
                    assertThat(Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS)).isTrue();
                    assertThat(Files.getPosixFilePermissions(path)).as("mode of %s", sent.path())
                            .isEqualTo(ArchiveExtractor.permissions(sent.mode()));
                }
                case SYMLINK -> assertThat(Files.readSymbolicLink(path)).isEqualTo(Path.of(sent.target()));
            }
        }
        try (Stream<Path> walk = Files.walk(root)) {
            assertThat(walk.filter(p -> !p.equals(root)).map(p -> root.relativize(p).toString()))
                    .containsExactlyInAnyOrderElementsOf(expectedPaths);
        }
        assertThat(ArchiveExtractor.permissions(0754)).hasToString("[OWNER_READ, OWNER_WRITE, OWNER_EXECUTE, GROUP_READ,"
                + " GROUP_EXECUTE, OTHERS_READ]");
    }

    @Test
    void cutsEachArchiveIntoNumberedChunksOfTheChunkSize() throws IOException {
        InMemoryStore store = new InMemoryStore();
        Repository repository = new Repository(store);
        Random random = new Random(1);
        SentArchive tablespace = tablespace(random);
        SentArchive base = base(random);
        BackupContents contents;
        try (BackupWriter writer = new BackupWriter(repository, CLUSTER, ID, ZSTD, SMALL)) {
            try (ArchiveSink sink = writer.openArchive("16390")) {
                feed(sink, tablespace.finish(), 65536);
            }
            try (ArchiveSink sink = writer.openArchive("base")) {
                feed(sink, base.finish(), 65536);
            }
            contents = writer.finish();
        }
        assertThat(contents.manifest()).isEmpty();
        List<BackupInfo.BackupObject> objects = contents.objects();
        long tablespaceChunks = (tablespace.contentSize() + CHUNK - 1) / CHUNK;
        long baseChunks = (base.contentSize() + CHUNK - 1) / CHUNK;
        assertThat(objects).hasSize((int) (tablespaceChunks + baseChunks + 1));
        for (int i = 0; i < objects.size() - 1; i++) {
            BackupInfo.BackupObject object = objects.get(i);
            boolean ts = i < tablespaceChunks;
            int sequence = ts ? i : (int) (i - tablespaceChunks);
            long contentSize = ts ? tablespace.contentSize() : base.contentSize();
            assertThat(object.role()).isEqualTo("chunk");
            assertThat(object.archive()).isEqualTo(ts ? "16390" : "base");
            assertThat(object.sequence()).isEqualTo(sequence);
            assertThat(object.object().key().value())
                    .isEqualTo(PREFIX + "data/" + object.archive() + "/" + "%06d".formatted(sequence) + ".chunk.zst");
            assertThat(object.object().logicalSize()).isEqualTo(Math.min(CHUNK, contentSize - (long) sequence * CHUNK));
            assertThat(object.object().codec()).isEqualTo(ZSTD);
        }
        BackupInfo.BackupObject index = objects.getLast();
        assertThat(index.role()).isEqualTo("index");
        assertThat(index.archive()).isNull();
        assertThat(index.object().key().value()).isEqualTo(PREFIX + "files.jsonl.zst");
        assertThat(backupObjects(store)).hasSize(objects.size());

        // The chunk of the tablespace's first file holds exactly that file.
        BackupFiles files = BackupFiles.open(repository, info(withManifest(repository, contents)));
        ChunkContents first = files.chunks("16390").getFirst();
        assertThat(first.ranges()).singleElement().satisfies(range -> {
            assertThat(range.file().path()).isEqualTo("PG_16_202307071/16384/16385");
            assertThat(range.fileOffset()).isZero();
            assertThat(range.chunkOffset()).isZero();
            assertThat(range.length()).isEqualTo(CHUNK);
            assertThat(range.endsFile()).isTrue();
        });
        BackupEntry big = files.find("base", "base/1/big").orElseThrow();
        List<ChunkContents.FileRange> pieces = files.chunks("base").stream().flatMap(c -> c.ranges().stream())
                .filter(r -> r.file().equals(big)).toList();
        assertThat(pieces).hasSize(3);
        assertThat(pieces.stream().mapToLong(ChunkContents.FileRange::length).sum()).isEqualTo(big.size());
        assertThat(pieces.getLast().endsFile()).isTrue();
        for (ChunkContents chunk : files.chunks("base")) {
            assertThat(chunk.ranges().stream().mapToLong(ChunkContents.FileRange::length).sum()).isEqualTo(chunk.size());
        }
    }

    /** The contents with a manifest stored after the fact, so that a BackupInfo can be built. */
    static BackupContents withManifest(Repository repository, BackupContents contents) {
        StoredObject manifest = repository.putBackupObject(CLUSTER, ID, "backup_manifest", new ByteArrayInputStream(new byte[1]),
                Codec.NONE);
        return new BackupContents(contents.objects(), java.util.Optional.of(manifest), contents.entries(),
                contents.logicalSize(), contents.storedSize());
    }

    @Test
    void theIndexIsSelfDescribingJsonLines() throws IOException {
        InMemoryStore store = new InMemoryStore();
        Repository repository = new Repository(store);
        byte[] tar = new SentArchive("base")
                .dir("pg_wal", 0700, 1_700_000_000L)
                .file("empty", new byte[0], 0640, 1_700_000_001L)
                .file("PG_VERSION", "16\n".getBytes(StandardCharsets.UTF_8), 0600, 1_700_000_002L)
                .dir("pg_tblspc", 0700, 1_700_000_003L)
                .symlink("pg_tblspc/16390", "/srv/ts")
                .finish();
        BackupContents contents;
        try (BackupWriter writer = new BackupWriter(repository, CLUSTER, ID, Codec.NONE, SMALL)) {
            try (ArchiveSink sink = writer.openArchive("base")) {
                feed(sink, tar, 100);
            }
            contents = writer.finish();
        }
        StoredObject index = contents.objects().getLast().object();
        String text;
        try (InputStream in = repository.openBackupObject(index)) {
            text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        assertThat(text).isEqualTo("""
                {"format":2,"content":"cellar-backup-file-index","cluster":"c1","backup":"b1","chunkSize":4096,\
                "checksum":"SHA256","archives":[{"archive":"base","entries":5,"chunks":1,"contentSize":3}]}
                {"archive":"base","path":"pg_wal","type":"directory","mode":"0700","mtime":1700000000}
                {"archive":"base","path":"empty","type":"file","mode":"0640","mtime":1700000001,"size":0,\
                "checksum":"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855","offset":0}
                {"archive":"base","path":"PG_VERSION","type":"file","mode":"0600","mtime":1700000002,"size":3,\
                "checksum":"%s","offset":0}
                {"archive":"base","path":"pg_tblspc","type":"directory","mode":"0700","mtime":1700000003}
                {"archive":"base","path":"pg_tblspc/16390","type":"symlink","mode":"0777","mtime":1763705000,\
                "target":"/srv/ts"}
                """.formatted(Sha256.hex("16\n".getBytes(StandardCharsets.UTF_8))));
    }

    static Stream<Arguments> serverCompressions() {
        return Stream.of(Arguments.of(".tar", (Compressor) out -> out),
                Arguments.of(".tar.gz", (Compressor) out -> new GZIPOutputStream(out)),
                Arguments.of(".tar.lz4", (Compressor) FramedLZ4CompressorOutputStream::new),
                Arguments.of(".tar.zst", (Compressor) out -> new ZstdOutputStream(out).setChecksum(true)));
    }

    interface Compressor {
        OutputStream wrap(OutputStream out) throws IOException;
    }

    static byte[] compress(byte[] bytes, Compressor compressor) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (OutputStream encoder = compressor.wrap(out)) {
            encoder.write(bytes);
        }
        return out.toByteArray();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("serverCompressions")
    void takesArchivesByTheServersNameAndDecompressesThemOnTheParserThread(String suffix, Compressor compressor)
            throws IOException {
        Repository repository = new Repository(new InMemoryStore());
        Random random = new Random(11);
        SentArchive tablespace = tablespace(random);
        SentArchive base = base(random);
        byte[] tablespaceTar = compress(tablespace.finish(), compressor);
        byte[] baseTar = compress(base.finish(), compressor);
        try (BackupWriter writer = new BackupWriter(repository, CLUSTER, ID, ZSTD, SMALL)) {
            try (ArchiveSink sink = writer.openArchive("16390" + suffix)) {
                assertThat(sink.archive()).isEqualTo("16390");
                feed(sink, tablespaceTar, 4099);
            }
            try (ArchiveSink sink = writer.openArchive("base" + suffix)) {
                feed(sink, baseTar, 4099);
            }
            assertFailure(catchFailure(() -> writer.openArchive("base")), ErrorCode.BACKUP_FAILED,
                    "cluster c1, backup b1: archive base was sent twice");
            BackupContents contents = writer.finish();
            List<BackupEntry> expected = new ArrayList<>(tablespace.expected());
            expected.addAll(base.expected());
            assertThat(contents.entries()).containsExactlyElementsOf(expected);
            assertThat(writer.progress().bytesReceived()).isEqualTo(tablespaceTar.length + baseTar.length);
            assertThat(contents.objects()).filteredOn(o -> o.role().equals("chunk"))
                    .allSatisfy(o -> assertThat(o.object().key().value()).matches(".*/data/(base|16390)/\\d{6}\\.chunk\\.zst"));
        }
    }

    @Test
    void bytesAfterACompressedArchiveFailTheBackupInsteadOfBlockingIt() throws IOException {
        InMemoryStore store = new InMemoryStore();
        Repository repository = new Repository(store);
        byte[] frame = compress(base(new Random(13)).finish(), FramedLZ4CompressorOutputStream::new);
        byte[] sent = java.util.Arrays.copyOf(frame, frame.length + 3 * SMALL.pipeBytes());
        try (BackupWriter writer = new BackupWriter(repository, CLUSTER, ID, ZSTD, SMALL)) {
            Throwable thrown = catchFailure(() -> {
                try (ArchiveSink sink = writer.openArchive("base.tar.lz4")) {
                    feed(sink, sent, 65536);
                }
            });
            assertThat(thrown).isInstanceOf(CellarException.class)
                    .hasMessageContaining(3 * SMALL.pipeBytes() + " bytes follow the end of the lz4-compressed archive");
        }
        assertThat(backupObjects(store)).isEmpty();
    }

    @Test
    void aDamagedCompressedStreamFailsTheBackup() throws IOException {
        InMemoryStore store = new InMemoryStore();
        Repository repository = new Repository(store);
        byte[] compressed = compress(base(new Random(12)).finish(), out -> new ZstdOutputStream(out).setChecksum(true));
        compressed[compressed.length / 2] ^= 0x55;
        try (BackupWriter writer = new BackupWriter(repository, CLUSTER, ID, ZSTD, SMALL)) {
            Throwable thrown = catchFailure(() -> {
                try (ArchiveSink sink = writer.openArchive("base.tar.zst")) {
                    feed(sink, compressed, 65536);
                }
            });
            assertThat(thrown).isInstanceOf(CellarException.class)
                    .hasMessageStartingWith("cluster c1, backup b1: archive base: the decompressed tar stream is invalid"
                            + " at byte ");
            assertThat(((CellarException) thrown).code()).isEqualTo(ErrorCode.BACKUP_FAILED);
        }
        assertThat(backupObjects(store)).isEmpty();
    }

    // ---- hostile and damaged streams --------------------------------------------------------

    static byte[] bytes(int size) {
        return random(new Random(size), size);
    }

    /** backup_label (1024 bytes of tar), the hostile part, a harmless file, the end marker. */
    static byte[] around(java.util.function.Consumer<RawTar> hostile) {
        RawTar tar = new RawTar().file("backup_label", bytes(100));
        hostile.accept(tar);
        return tar.file("after", bytes(10)).end().bytes();
    }

    static Stream<Arguments> hostileArchives() {
        byte[] badChecksum = RawTar.header(RawTar.utf8("global/pg_control"), (byte) '0', new byte[0], 0, 0600, 1);
        badChecksum[0] = 'G';
        String longName = "base/" + "n".repeat(1100);
        String entry = "archive base, entry ";
        String invalid = "archive base: the tar stream is invalid at byte ";
        return Stream.of(
                Arguments.of("absolute name", around(t -> t.file("/etc/passwd", bytes(5))),
                        entry + "\"/etc/passwd\": its name is absolute"),
                Arguments.of("dot-dot", around(t -> t.file("../../etc/passwd", bytes(5))),
                        entry + "\"../../etc/passwd\": its name has a '..' component"),
                Arguments.of("dot-dot inside", around(t -> t.file("base/../../x", bytes(5))),
                        entry + "\"base/../../x\": its name has a '..' component"),
                Arguments.of("empty component", around(t -> t.file("base//x", bytes(5))),
                        entry + "\"base//x\": its name has an empty or '.' component"),
                Arguments.of("backslash", around(t -> t.file("base\\x", bytes(5))),
                        entry + "\"base\\x\": its name contains a backslash"),
                Arguments.of("not UTF-8", around(t -> t.entry(new byte[] {'a', (byte) 0xff}, '0', new byte[0], bytes(5))),
                        entry + "\"a\\xff\": its name is not valid UTF-8"),
                Arguments.of("hard link", around(t -> t.entry("hard", '1', "global/pg_control", new byte[0])),
                        entry + "\"hard\": hard links are not accepted (it links to \"global/pg_control\")"),
                Arguments.of("character device", around(t -> t.entry("dev/tty", '3', "", new byte[0])),
                        entry + "\"dev/tty\": it is a character device; special files are not accepted"),
                Arguments.of("block device", around(t -> t.entry("sda", '4', "", new byte[0])),
                        entry + "\"sda\": it is a block device; special files are not accepted"),
                Arguments.of("fifo", around(t -> t.entry("fifo", '6', "", new byte[0])),
                        entry + "\"fifo\": it is a FIFO; special files are not accepted"),
                Arguments.of("old GNU sparse", around(t -> t.entry("holes", 'S', "", bytes(10))),
                        entry + "\"holes\": sparse files are not accepted"),
                Arguments.of("duplicate", around(t -> t.file("backup_label", bytes(3))),
                        entry + "\"backup_label\": the archive holds this path twice"),
                Arguments.of("symlink elsewhere", around(t -> t.entry("base/link/", '2', "/etc", new byte[0])),
                        entry + "\"base/link/\": symbolic links are accepted only as pg_tblspc/<tablespace OID> in the"
                                + " base archive"),
                Arguments.of("below a symlink", around(t -> t.entry("pg_tblspc/16390/", '2', "/tmp", new byte[0])
                                .file("pg_tblspc/16390/evil", bytes(5))),
                        entry + "\"pg_tblspc/16390/evil\": it lies below the symbolic link \"pg_tblspc/16390\", which"
                                + " appeared earlier"),
                Arguments.of("directory with data", around(t -> t.entry("dir/", '5', "", bytes(600))),
                        entry + "\"dir/\": a directory entry must not carry data, this one has 600 bytes"),
                Arguments.of("pax path absolute", around(t -> t.pax('x', java.util.Map.of("path", RawTar.utf8("/etc/passwd")))
                                .file("harmless", bytes(5))),
                        entry + "\"/etc/passwd\": its name is absolute"),
                Arguments.of("pax path dot-dot", around(t -> t.pax('x', java.util.Map.of("path", RawTar.utf8("a/../../b")))
                                .file("harmless", bytes(5))),
                        entry + "\"a/../../b\": its name has a '..' component"),
                Arguments.of("pax path with NUL", around(t -> t.pax('x', java.util.Map.of("path", RawTar.utf8("a\0b")))
                                .file("harmless", bytes(5))),
                        entry + "\"a\\x00b\": its name contains a NUL character"),
                Arguments.of("pax long name", new TarBuilder().file("backup_label", bytes(3)).file(longName, bytes(3)).finish(),
                        entry + "\"" + longName.substring(0, 200) + "…\": its name is 1105 bytes long, more than 1024"),
                Arguments.of("GNU long name", around(t -> t.gnuLong('L', RawTar.utf8("/../../etc/cron.d/x"))
                                .file("harmless", bytes(5))),
                        entry + "\"/../../etc/cron.d/x\": its name is absolute"),
                Arguments.of("GNU long link of a hard link", around(t -> t.gnuLong('K', RawTar.utf8("/etc/shadow"))
                                .entry("hard", '1', "harmless", new byte[0])),
                        entry + "\"hard\": hard links are not accepted (it links to \"/etc/shadow\")"),
                Arguments.of("global pax path", around(t -> t.pax('g', java.util.Map.of("path", RawTar.utf8("x")))
                                .file("harmless", bytes(5))),
                        invalid + "2560 (after entry \"backup_label\"): a global pax header sets a path or link path"
                                + " for every entry"),
                Arguments.of("damaged header", around(t -> t.raw(badChecksum)),
                        invalid + "1536 (after entry \"backup_label\"): the tar header at byte 1024 has a wrong"
                                + " checksum (damaged or not a tar stream)"),
                Arguments.of("no end marker", new RawTar().file("backup_label", bytes(100)).bytes(),
                        invalid + "1024 (after entry \"backup_label\"): the archive stops at byte 1024 without its"
                                + " end-of-archive marker (truncated stream)"),
                Arguments.of("half an end marker", new RawTar().file("backup_label", bytes(100)).raw(new byte[512]).bytes(),
                        invalid + "1536 (after entry \"backup_label\"): the end-of-archive marker is incomplete: one zero"
                                + " record instead of two (truncated stream)"),
                Arguments.of("data after the end", new RawTar().file("backup_label", bytes(100)).end().raw(bytes(10)).bytes(),
                        invalid + "2048 (after entry \"backup_label\"): non-zero data at byte 2048 after the"
                                + " end-of-archive marker"),
                Arguments.of("truncated content", new RawTar().file("backup_label", bytes(100))
                                .raw(RawTar.header(RawTar.utf8("global/pg_control"), (byte) '0', new byte[0], 8192, 0600, 1))
                                .raw(bytes(100)).bytes(),
                        invalid + "1636 (after entry \"backup_label\"): Truncated TAR archive"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("hostileArchives")
    void aHostileOrDamagedArchiveFailsTheBackupAndLeavesNothingBehind(String scenario, byte[] hostile, String message)
            throws IOException {
        ObjectStore store = LocalStore.open(temp);
        Repository repository = new Repository(store);
        Throwable thrown;
        try (BackupWriter writer = new BackupWriter(repository, CLUSTER, ID, ZSTD, SMALL)) {
            // A good tablespace archive first, stored, so that there is something to delete.
            try (ArchiveSink sink = writer.openArchive("16390")) {
                feed(sink, tablespace(new Random(3)).finish(), 1000);
            }
            await().atMost(Duration.ofSeconds(30)).until(() -> writer.progress().chunksStored() >= 2);
            assertThat(backupObjects(store)).isNotEmpty();

            ArchiveSink sink = writer.openArchive("base");
            thrown = catchFailure(() -> {
                feed(sink, hostile, 700);
                sink.close();
            });
            assertFailure(thrown, ErrorCode.BACKUP_FAILED, "cluster c1, backup b1: " + message);
            assertThat(((CellarException) thrown).hint()).isPresent();
            // Every later call reports the same failure.
            assertFailure(catchFailure(writer::finish), ErrorCode.BACKUP_FAILED, "cluster c1, backup b1: " + message);
            assertFailure(catchFailure(() -> writer.putManifest(new ByteArrayInputStream(new byte[1]))),
                    ErrorCode.BACKUP_FAILED, "cluster c1, backup b1: " + message);
        }
        assertThat(backupObjects(store)).isEmpty();
    }

    static Throwable catchFailure(Runnable action) {
        try {
            action.run();
        } catch (RuntimeException e) {
            return e;
        }
        throw new AssertionError("expected a failure");
    }

    @Test
    void aParserFailureSurfacesOnTheReceiveThreadsNextWrite() {
        Repository repository = new Repository(new InMemoryStore());
        byte[] bad = RawTar.header(RawTar.utf8("x"), (byte) '0', new byte[0], 0, 0600, 1);
        bad[0] = 'y';
        try (BackupWriter writer = new BackupWriter(repository, CLUSTER, ID, ZSTD, SMALL)) {
            ArchiveSink sink = writer.openArchive("base");
            sink.write(ByteBuffer.wrap(bad));
            ByteBuffer zeros = ByteBuffer.allocate(1000);
            Throwable thrown = catchFailure(() -> {
                while (true) { // the parser fails on the first header; a write soon finds out
                    zeros.clear();
                    sink.write(zeros);
                }
            });
            assertFailure(thrown, ErrorCode.BACKUP_FAILED, "cluster c1, backup b1: archive base: the tar stream is invalid"
                    + " at byte 512: the tar header at byte 0 has a wrong checksum (damaged or not a tar stream)");
            assertThat(thrown.getCause()).isInstanceOf(CellarException.class); // the parser thread's own exception
            assertFailure(catchFailure(sink::close), ErrorCode.BACKUP_FAILED, thrown.getMessage());
        }
    }

    @Test
    void aStoreFailureFailsTheBackupAndCloseDeletesWhatWasStored() {
        InMemoryStore memory = new InMemoryStore();
        HookedStore store = new HookedStore(memory);
        AtomicInteger chunkPuts = new AtomicInteger();
        store.beforePut(key -> {
            if (key.value().contains("/data/") && chunkPuts.incrementAndGet() == 3) {
                throw new CellarException(ErrorCode.STORAGE_FAILED, "cannot write object " + key + ": No space left on"
                        + " device", "free space");
            }
        });
        Repository repository = new Repository(store);
        byte[] tar = new TarBuilder().file("big", bytes(10 * CHUNK)).finish();
        try (BackupWriter writer = new BackupWriter(repository, CLUSTER, ID, ZSTD,
                new BackupWriterSettings(CHUNK, 1, 2, 4096, ChecksumAlgorithm.SHA256))) {
            Throwable thrown = catchFailure(() -> {
                try (ArchiveSink sink = writer.openArchive("base")) {
                    feed(sink, tar, 1000);
                }
                writer.finish();
            });
            assertThat(thrown).isInstanceOf(CellarException.class);
            assertThat(((CellarException) thrown).code()).isEqualTo(ErrorCode.STORAGE_FAILED);
            assertThat(thrown.getMessage()).matches("cluster c1, backup b1: cannot write object "
                    + "clusters/c1/backups/b1/data/base/00000[0-9]\\.chunk\\.zst: No space left on device");
            assertThat(((CellarException) thrown).hint()).contains("free space");
            assertThat(backupObjects(memory)).isNotEmpty();
        }
        assertThat(backupObjects(memory)).isEmpty();
    }

    // ---- back-pressure and aborts -----------------------------------------------------------

    /** A store whose chunk puts wait for {@code release}; {@code entered} counts puts that wait. */
    record Blocking(HookedStore store, InMemoryStore memory, CountDownLatch release, AtomicInteger entered) {
        static Blocking create() {
            InMemoryStore memory = new InMemoryStore();
            HookedStore store = new HookedStore(memory);
            CountDownLatch release = new CountDownLatch(1);
            AtomicInteger entered = new AtomicInteger();
            store.beforePut(key -> {
                if (key.value().contains("/data/")) {
                    entered.incrementAndGet();
                    try {
                        release.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
            });
            return new Blocking(store, memory, release, entered);
        }
    }

    @Test
    void aSlowStoreBlocksTheReceiveThreadWithBoundedMemory() throws Exception {
        Blocking blocking = Blocking.create();
        Repository repository = new Repository(blocking.store());
        BackupWriterSettings settings = new BackupWriterSettings(CHUNK, 1, 2, 4096, ChecksumAlgorithm.SHA256);
        byte[] content = bytes(256 * 1024);
        byte[] tar = new TarBuilder().file("big", content).finish();
        try (BackupWriter writer = new BackupWriter(repository, CLUSTER, ID, ZSTD, settings)) {
            AtomicReference<Throwable> feederFailure = new AtomicReference<>();
            Thread feeder = Thread.ofPlatform().start(() -> {
                try (ArchiveSink sink = writer.openArchive("base")) {
                    feed(sink, tar, 1000);
                } catch (Throwable t) {
                    feederFailure.set(t);
                }
            });
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> blocking.entered().get() == 1 && feeder.getState() == Thread.State.WAITING);
            BackupProgress progress = writer.progress();
            // Parsed: at most the chunk being stored and the one filled; buffered: at most the pipe.
            assertThat(progress.contentBytes()).isLessThanOrEqualTo(2L * CHUNK);
            assertThat(progress.bytesReceived()).isLessThanOrEqualTo(512 + 2L * CHUNK + 4096);
            assertThat(progress.chunksStored()).isZero();
            assertThat(settings.memoryBound()).isEqualTo(4096 + 2L * CHUNK + com.github.luben.zstd.Zstd.compressBound(CHUNK));

            blocking.release().countDown();
            feeder.join();
            assertThat(feederFailure.get()).isNull();
            BackupContents contents = writer.finish();
            assertThat(contents.logicalSize()).isEqualTo(content.length);
            assertThat(contents.files()).singleElement().satisfies(f -> assertThat(f.checksum()).isEqualTo(Sha256.hex(content)));
        }
    }

    @Test
    void closingFromAnotherThreadAbortsABlockedReceiveThreadAndDeletesEverything() throws Exception {
        Blocking blocking = Blocking.create();
        Repository repository = new Repository(blocking.store());
        byte[] tar = new TarBuilder().file("big", bytes(256 * 1024)).finish();
        BackupWriter writer = new BackupWriter(repository, CLUSTER, ID, ZSTD, new BackupWriterSettings(CHUNK, 2, 3, 4096, ChecksumAlgorithm.SHA256));
        AtomicReference<Throwable> feederFailure = new AtomicReference<>();
        Thread feeder = Thread.ofPlatform().start(() -> {
            try {
                ArchiveSink sink = writer.openArchive("base");
                feed(sink, tar, 1000);
            } catch (Throwable t) {
                feederFailure.set(t);
            }
        });
        await().atMost(Duration.ofSeconds(30))
                .until(() -> blocking.entered().get() == 2 && feeder.getState() == Thread.State.WAITING);
        Thread closer = Thread.ofPlatform().start(writer::close);
        feeder.join();
        assertFailure(feederFailure.get(), ErrorCode.BACKUP_FAILED,
                "cluster c1, backup b1: the backup was abandoned before it finished");
        blocking.release().countDown(); // the puts in flight complete, then close deletes them
        closer.join();
        assertThat(backupObjects(blocking.memory())).isEmpty();
        assertThatThrownBy(() -> writer.openArchive("16390")).hasMessage("cluster c1, backup b1: the backup was abandoned"
                + " before it finished");
    }

    // ---- misuse -----------------------------------------------------------------------------

    @Test
    void refusesABackupIdWhoseDirectoryHoldsObjects() {
        InMemoryStore store = new InMemoryStore();
        Repository repository = new Repository(store);
        repository.putBackupObject(CLUSTER, ID, "leftover", new ByteArrayInputStream(new byte[1]), Codec.NONE);
        assertThatThrownBy(() -> new BackupWriter(repository, CLUSTER, ID, ZSTD, SMALL))
                .isInstanceOfSatisfying(CellarException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.BACKUP_FAILED))
                .hasMessage("cluster c1, backup b1: the backup's directory clusters/c1/backups/b1/ already holds objects"
                        + " in in-memory store memory");
        assertThat(store.head(ObjectKey.of(PREFIX + "leftover"))).isPresent();
    }

    @Test
    void aBackupNeedsABaseArchiveAndEachArchiveOnce() {
        InMemoryStore store = new InMemoryStore();
        Repository repository = new Repository(store);
        byte[] tar = tablespace(new Random(5)).finish();
        try (BackupWriter writer = new BackupWriter(repository, CLUSTER, ID, ZSTD, SMALL)) {
            try (ArchiveSink sink = writer.openArchive("16390")) {
                feed(sink, tar, 5000);
            }
            assertFailure(catchFailure(() -> writer.openArchive("16390")), ErrorCode.BACKUP_FAILED,
                    "cluster c1, backup b1: archive 16390 was sent twice");
            assertFailure(catchFailure(writer::finish), ErrorCode.BACKUP_FAILED,
                    "cluster c1, backup b1: the server sent no base archive");
        }
        assertThat(backupObjects(store)).isEmpty();
    }

    @Test
    void archivesAreOpenedOneAtATime() {
        Repository repository = new Repository(new InMemoryStore());
        try (BackupWriter writer = new BackupWriter(repository, CLUSTER, ID, ZSTD, SMALL)) {
            ArchiveSink sink = writer.openArchive("base");
            assertThatThrownBy(() -> writer.openArchive("16390")).isInstanceOf(IllegalStateException.class)
                    .hasMessage("archive base is still open");
            assertThatThrownBy(writer::finish).isInstanceOf(IllegalStateException.class);
            assertThatThrownBy(() -> writer.openArchive("base.tar.bz2")).isInstanceOf(CellarException.class)
                    .hasMessage("invalid archive name 'base.tar.bz2': expected 'base' or a tablespace OID, optionally"
                            + " with '.tar' and '.gz', '.lz4' or '.zst' as PostgreSQL sends it");
            feed(sink, new TarBuilder().dir("global").finish(), 100);
            sink.close();
            sink.close(); // idempotent
            assertThatThrownBy(() -> sink.write(ByteBuffer.allocate(1))).isInstanceOf(IllegalStateException.class)
                    .hasMessage("archive base is closed");
            BackupContents contents = writer.finish();
            assertThat(contents.entries()).extracting(BackupEntry::path).containsExactly("global");
            assertThat(contents.objects()).extracting(BackupInfo.BackupObject::role).containsExactly("index");
            assertThatThrownBy(writer::finish).isInstanceOf(IllegalStateException.class);
        }
        // close after finish keeps the backup
        assertThat(repository.store().listAll(PREFIX).toList()).hasSize(1);
    }

    @Test
    void defaultsAreSixteenMebibyteChunksAndOneWorkerPerProcessor() {
        BackupWriterSettings defaults = BackupWriterSettings.defaults();
        int processors = Runtime.getRuntime().availableProcessors();
        assertThat(defaults).isEqualTo(new BackupWriterSettings(16 << 20, processors, processors + 2, 1 << 20,
                ChecksumAlgorithm.CRC32C));
        assertThat(defaults.withWorkers(3)).isEqualTo(new BackupWriterSettings(16 << 20, 3, 5, 1 << 20,
                ChecksumAlgorithm.CRC32C));
        assertThatThrownBy(() -> defaults.withChunkSize(0)).isInstanceOf(IllegalArgumentException.class);
    }
}
