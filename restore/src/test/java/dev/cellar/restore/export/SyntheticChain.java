package dev.cellar.restore.export;

import dev.cellar.catalog.BackupKind;
import dev.cellar.catalog.BackupOrigin;
import dev.cellar.catalog.BackupRow;
import dev.cellar.catalog.BackupStatus;
import dev.cellar.core.Lsn;
import dev.cellar.core.TimelineHistory;
import dev.cellar.core.TimelineId;
import dev.cellar.core.backup.BackupManifest;
import dev.cellar.core.backup.ChecksumAlgorithm;
import dev.cellar.core.backup.ManifestChecksums;
import dev.cellar.core.backup.ManifestFile;
import dev.cellar.core.backup.WalRange;
import dev.cellar.restore.plan.RestorePlan;
import dev.cellar.restore.plan.RestoreTarget;
import dev.cellar.storage.backup.ArchiveSink;
import dev.cellar.storage.backup.BackupContents;
import dev.cellar.storage.backup.BackupWriter;
import dev.cellar.storage.backup.BackupWriterSettings;
import dev.cellar.storage.codec.Codec;
import dev.cellar.storage.repository.BackupInfo;
import dev.cellar.storage.repository.Repository;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/**
 * Backups of a chain written to a repository as a server's BASE_BACKUP would leave them: tar
 * archives cut into small chunks, a file index, a manifest listing every file with its CRC-32C,
 * a backup_label. Pages name their source and block so tests can tell where each came from;
 * incremental files are built byte by byte in PostgreSQL's layout.
 */
final class SyntheticChain {
    static final String CLUSTER = "c1";
    static final int BLOCK = 8192;
    static final long TABLESPACE = 16400;
    static final long SYSTEM_ID = 7_436_923_442_837_046_512L;
    private static final int TAG = 32;

    /** One backup being described. */
    static final class Backup {
        final String id;
        final String parent;
        final int sequence;
        final Map<String, List<Object[]>> archives = new LinkedHashMap<>();

        Backup(String id, String parent, int sequence) {
            this.id = id;
            this.parent = parent;
            this.sequence = sequence;
            archives.put("base", new ArrayList<>());
        }

        Backup dir(String archive, String path) {
            archives.computeIfAbsent(archive, a -> new ArrayList<>()).add(new Object[] {path, null, 0700});
            return this;
        }

        Backup file(String archive, String path, byte[] content) {
            return file(archive, path, content, 0600);
        }

        Backup file(String archive, String path, byte[] content, int mode) {
            archives.computeIfAbsent(archive, a -> new ArrayList<>()).add(new Object[] {path, content, mode});
            return this;
        }

        long mtime() {
            return 1_800_000_000L + 1000L * sequence;
        }

        /** A usual data directory: version, label, control file; empty configuration. */
        Backup skeleton() {
            dir("base", "global").dir("base", "base").dir("base", "pg_wal").dir("base", "pg_tblspc")
                    .file("base", "PG_VERSION", "17\n".getBytes(StandardCharsets.US_ASCII))
                    .file("base", "backup_label", label(parent != null))
                    .file("base", "global/pg_control", page("control-" + id, 0))
                    .file("base", "postgresql.auto.conf", "# nothing\n".getBytes(StandardCharsets.US_ASCII));
            return this;
        }

        byte[] label(boolean incremental) {
            String text = """
                    START WAL LOCATION: 0/%X000028 (file 0000000100000000000000%02X)
                    CHECKPOINT LOCATION: 0/%X000080
                    BACKUP METHOD: streamed
                    BACKUP FROM: primary
                    START TIME: 2026-11-21 10:00:0%d UTC
                    LABEL: synthetic %s
                    START TIMELINE: 1
                    """.formatted(sequence + 2, sequence + 2, sequence + 2, sequence, id);
            if (incremental) {
                text += "INCREMENTAL FROM LSN: 0/%X000028\nINCREMENTAL FROM TLI: 1\n".formatted(sequence + 1);
            }
            return text.getBytes(StandardCharsets.US_ASCII);
        }

        Lsn start() {
            return Lsn.parse("0/%X000028".formatted(sequence + 2));
        }

        Lsn end() {
            return Lsn.parse("0/%X000100".formatted(sequence + 2));
        }

        /** Writes the backup and commits it; returns what the catalog would hold about it. */
        BackupRow store(Repository repository) {
            List<ManifestFile> manifest = new ArrayList<>();
            BackupContents contents;
            BackupWriterSettings settings = BackupWriterSettings.defaults().withChunkSize(3 * BLOCK).withWorkers(2);
            try (BackupWriter writer = new BackupWriter(repository, CLUSTER, id, Codec.NONE, settings)) {
                for (Map.Entry<String, List<Object[]>> archive : archives.entrySet()) {
                    try (ArchiveSink sink = writer.openArchive(archive.getKey())) {
                        sink.write(ByteBuffer.wrap(tar(archive.getKey(), archive.getValue(), manifest)));
                    }
                }
                byte[] manifestBytes = BackupManifest.version2(SYSTEM_ID, manifest,
                        List.of(new WalRange(TimelineId.of(1), start(), end()))).write();
                writer.putManifest(new ByteArrayInputStream(manifestBytes));
                contents = writer.finish();
            }
            Instant time = Instant.ofEpochSecond(mtime());
            List<BackupInfo.Tablespace> tablespaces = archives.containsKey(String.valueOf(TABLESPACE))
                    ? List.of(new BackupInfo.Tablespace(TABLESPACE, "extra", "/nonexistent/extra")) : List.of();
            BackupInfo info = new BackupInfo(1, id, CLUSTER, parent == null ? BackupInfo.Kind.FULL
                    : BackupInfo.Kind.INCREMENTAL, parent, "synthetic", Long.toUnsignedString(SYSTEM_ID), 170004,
                    BackupInfo.Source.PRIMARY, TimelineId.of(1), start(), start(), TimelineId.of(1), end(), time,
                    time.plusSeconds(5), tablespaces, List.of(new BackupInfo.Database(5, "postgres")),
                    contents.manifest().orElseThrow(), contents.objects(), contents.logicalSize(),
                    contents.storedSize());
            repository.commitBackup(info);
            return new BackupRow(id, CLUSTER, parent == null ? BackupKind.FULL : BackupKind.INCREMENTAL,
                    Optional.ofNullable(parent), "synthetic", start(), TimelineId.of(1), Optional.of(end()),
                    Optional.of(TimelineId.of(1)), Optional.of(start()), time, Optional.of(time.plusSeconds(5)),
                    170004, BackupOrigin.PRIMARY, contents.logicalSize(), contents.storedSize(), BackupStatus.COMPLETE,
                    Optional.empty(), Optional.empty(), false);
        }

        private byte[] tar(String archive, List<Object[]> entries, List<ManifestFile> manifest) {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try (TarArchiveOutputStream tar = new TarArchiveOutputStream(bytes)) {
                tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
                for (Object[] entry : entries) {
                    String path = (String) entry[0];
                    byte[] content = (byte[]) entry[1];
                    TarArchiveEntry header = new TarArchiveEntry(content == null ? path + "/" : path);
                    header.setMode((Integer) entry[2]);
                    header.setModTime(mtime() * 1000);
                    if (content != null) {
                        header.setSize(content.length);
                    }
                    tar.putArchiveEntry(header);
                    if (content != null) {
                        tar.write(content);
                        String manifestPath = archive.equals("base") ? path : "pg_tblspc/" + archive + "/" + path;
                        manifest.add(ManifestFile.of(manifestPath, content.length, Instant.ofEpochSecond(mtime()),
                                ChecksumAlgorithm.CRC32C, ManifestChecksums.hex(ChecksumAlgorithm.CRC32C, content)));
                    }
                    tar.closeArchiveEntry();
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return bytes.toByteArray();
        }
    }

    private SyntheticChain() {
    }

    /** A plan restoring the last of {@code chain}, to its latest state. */
    static RestorePlan plan(List<BackupRow> chain) {
        BackupRow last = chain.getLast();
        return new RestorePlan(CLUSTER, RestoreTarget.latest(), chain, TimelineHistory.initial(), last.startLsn(),
                last.endLsn().orElseThrow(), List.of(), List.of(), Optional.empty(), List.of());
    }

    /** A page that says it is block {@code block} of {@code source}. */
    static byte[] page(String source, int block) {
        byte[] page = new byte[BLOCK];
        byte[] tag = source.getBytes(StandardCharsets.UTF_8);
        System.arraycopy(tag, 0, page, 0, Math.min(tag.length, TAG));
        ByteBuffer.wrap(page).order(ByteOrder.LITTLE_ENDIAN).putInt(TAG, block);
        int seed = source.hashCode() * 31 + block;
        for (int i = TAG + 4; i < BLOCK; i++) {
            seed = seed * 1_103_515_245 + 12_345;
            page[i] = (byte) (seed >>> 24);
        }
        return page;
    }

    /** Whole-file content: block i is {@code page(sources[i], i)}. */
    static byte[] pages(String... sources) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int block = 0; block < sources.length; block++) {
            out.writeBytes(page(sources[block], block));
        }
        return out.toByteArray();
    }

    /** Where each page of {@code content} came from, as {@code source#block}. */
    static List<String> describe(byte[] content) {
        List<String> pages = new ArrayList<>();
        for (int at = 0; at < content.length; at += BLOCK) {
            byte[] page = Arrays.copyOfRange(content, at, at + BLOCK);
            int end = 0;
            while (end < TAG && page[end] != 0) {
                end++;
            }
            String source = new String(page, 0, end, StandardCharsets.UTF_8);
            int block = ByteBuffer.wrap(page).order(ByteOrder.LITTLE_ENDIAN).getInt(TAG);
            pages.add(Arrays.equals(page, page(source, block)) ? source + "#" + block : "?");
        }
        return pages;
    }

    /** An incremental file as the server writes it, holding {@code page(source, b)} for each block b. */
    static byte[] incremental(String source, int truncationBlockLength, int... blocks) {
        int listEnd = 12 + 4 * blocks.length;
        int headerLength = blocks.length == 0 ? listEnd : (listEnd + BLOCK - 1) / BLOCK * BLOCK;
        ByteBuffer file = ByteBuffer.allocate(headerLength + blocks.length * BLOCK).order(ByteOrder.LITTLE_ENDIAN);
        file.putInt(0xd3ae1f0d).putInt(blocks.length).putInt(truncationBlockLength);
        for (int block : blocks) {
            file.putInt(block);
        }
        file.position(headerLength);
        for (int block : blocks) {
            file.put(page(source, block));
        }
        return file.array();
    }
}
