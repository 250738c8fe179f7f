package dev.cellar.walreceiver.segment;

import dev.cellar.core.CellarException;
import dev.cellar.core.ErrorCode;
import dev.cellar.core.Lsn;
import dev.cellar.core.TimelineId;
import dev.cellar.core.WalSegmentName;
import dev.cellar.core.WalSegmentSize;
import dev.cellar.core.WalSegmentValidator;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes streamed WAL into a cluster's spool directory, one segment file at a time, and hands each
 * finished segment to a {@link SegmentPublisher} (DESIGN.md §4):
 * <ol>
 *   <li>bytes are written at their offset in {@code <segment>.receiving} and must arrive in order;
 *   <li>{@link #sync()} fsyncs them: only then do they count as {@link #durable()}, the one position
 *       a caller may report to PostgreSQL as flushed;
 *   <li>a full segment is fsynced, renamed to {@code .complete} (directory fsynced), read back,
 *       checked ({@link WalSegmentValidator}: size, page headers, system identifier, record chain)
 *       and hashed, published, and only then removed from the spool;
 *   <li>at the end of a timeline the open segment is cut to its received length and published as a
 *       partial segment.
 * </ol>
 * After a crash, {@link #open} publishes what was finished and reports where to resume: the start
 * of the segment that was being received (whose bytes the server still has, since the slot was
 * never told they were flushed beyond them).
 *
 * <p>Not thread-safe: one receiving thread owns a writer. Every method blocks on disk I/O.
 */
public final class WalSegmentWriter implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(WalSegmentWriter.class);

    private final Path spool;
    private final String cluster;
    private final long systemIdentifier;
    private final OptionalInt major;
    private final WalSegmentSize size;
    private final SegmentPublisher publisher;

    private WalSegmentName current;
    private FileChannel channel;
    private TimelineId timeline;
    private long offset;
    private Lsn received = Lsn.INVALID;
    private Lsn durable = Lsn.INVALID;
    private long unsyncedBytes;
    private final Optional<WalSegmentName> resumeSegment;

    private WalSegmentWriter(Path spool, String cluster, long systemIdentifier, OptionalInt major, WalSegmentSize size,
                             SegmentPublisher publisher, Optional<WalSegmentName> resumeSegment) {
        this.spool = spool;
        this.cluster = cluster;
        this.systemIdentifier = systemIdentifier;
        this.major = major;
        this.size = size;
        this.publisher = publisher;
        this.resumeSegment = resumeSegment;
    }

    /**
     * Opens the spool of one cluster (creating it, mode 0700), publishes segments a crash left
     * finished but unpublished, and finds where streaming must resume.
     *
     * @param systemIdentifier the cluster's, which every segment's first page must carry
     * @param major            the server's major version when known, to check the page magic
     */
    public static WalSegmentWriter open(Path spool, String cluster, long systemIdentifier, OptionalInt major,
                                        WalSegmentSize size, SegmentPublisher publisher) {
        Objects.requireNonNull(publisher, "publisher");
        try {
            if (!Files.isDirectory(spool)) {
                Files.createDirectories(spool, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
                fsyncDirectory(spool.getParent());
            }
        } catch (IOException e) {
            throw failure(cluster, "cannot create the spool directory " + spool, e);
        }
        List<SpoolFile> files = list(spool, size, cluster);
        WalSegmentWriter writer = new WalSegmentWriter(spool, cluster, systemIdentifier, major, size, publisher,
                files.stream().filter(f -> f.state() == SpoolFile.State.RECEIVING).map(SpoolFile::segment)
                        .max(SEGMENT_ORDER));
        for (SpoolFile file : files) {
            switch (file.state()) {
                case COMPLETE -> writer.publishSpoolFile(file.path(), file.segment(), false);
                case TIMELINE_END -> writer.publishSpoolFile(file.path(), file.segment(), true);
                case RECEIVING -> {
                    if (!writer.resumeSegment.orElseThrow().equals(file.segment())) {
                        // An older segment left receiving: its timeline ended while we were away (a
                        // failover). Its fsynced bytes may exist nowhere else: keep them as a partial.
                        writer.salvage(file.segment());
                    }
                }
            }
        }
        return writer;
    }

    /** Timeline first, then segment number: the order in which WAL was received. */
    private static final Comparator<WalSegmentName> SEGMENT_ORDER =
            Comparator.comparing(WalSegmentName::timeline).thenComparingLong(WalSegmentName::segmentNumber);

    /**
     * The segment whose receiving a crash interrupted: streaming must restart at its start, on its
     * timeline, and rewrite it. Empty when the spool held no such segment.
     */
    public Optional<WalSegmentName> resumeSegment() {
        return resumeSegment;
    }

    /**
     * Starts receiving at {@code start}, which must be the start of a segment, on {@code timeline}.
     * Any bytes already in that segment's spool file are overwritten as they arrive again.
     */
    public void begin(TimelineId timeline, Lsn start) {
        if (channel != null) {
            throw new IllegalStateException("cluster " + cluster + ": segment " + current + " is still open");
        }
        if (start.segmentOffset(size) != 0) {
            throw new IllegalArgumentException("cluster " + cluster + ": streaming must start at a segment start, not "
                    + start);
        }
        WalSegmentName first = WalSegmentName.containing(timeline, start, size);
        for (SpoolFile leftover : list(spool, size, cluster)) {
            if (leftover.state() == SpoolFile.State.RECEIVING && !leftover.segment().equals(first)) {
                salvage(leftover.segment());
            }
        }
        this.timeline = timeline;
        this.received = start;
        this.durable = start;
        this.offset = 0;
        this.current = null;
    }

    /**
     * Writes WAL bytes that start at {@code dataStart}, which must be exactly where the previous
     * ones ended. Bytes crossing a segment boundary finish that segment (which is then published)
     * and go on in the next.
     */
    public void write(Lsn dataStart, ByteBuffer data) {
        if (timeline == null) {
            throw new IllegalStateException("cluster " + cluster + ": write before begin");
        }
        if (!dataStart.equals(received)) {
            throw new CellarException(ErrorCode.PROTOCOL_ERROR, "cluster " + cluster + ": the server sent WAL from "
                    + dataStart + " but the stream is at " + received, "Cellar reconnects and resumes; if this repeats, report it.");
        }
        while (data.hasRemaining()) {
            if (channel == null) {
                openSegment(WalSegmentName.containing(timeline, received, size));
            }
            int n = (int) Math.min(data.remaining(), size.bytes() - offset);
            ByteBuffer slice = data.slice(data.position(), n);
            try {
                long at = offset;
                while (slice.hasRemaining()) {
                    at += channel.write(slice, at);
                }
            } catch (IOException e) {
                throw failure(cluster, "cannot write WAL segment " + current + " in " + spool, e);
            }
            data.position(data.position() + n);
            offset += n;
            unsyncedBytes += n;
            received = received.plus(n);
            if (offset == size.bytes()) {
                completeSegment();
            }
        }
    }

    /** Fsyncs what was written; returns the new {@link #durable()} position. */
    public Lsn sync() {
        if (channel != null && unsyncedBytes > 0) {
            try {
                channel.force(false);
            } catch (IOException e) {
                throw failure(cluster, "cannot fsync WAL segment " + current + " in " + spool, e);
            }
        }
        unsyncedBytes = 0;
        durable = received;
        return durable;
    }

    /**
     * Ends the current timeline: the open segment, if it has bytes, is cut to them, fsynced and
     * published as a partial segment. After this, {@link #begin} the next timeline.
     */
    public void endTimeline() {
        if (channel == null) {
            timeline = null;
            return;
        }
        WalSegmentName segment = current;
        Path receiving = SpoolFile.pathOf(spool, segment, SpoolFile.State.RECEIVING);
        try {
            if (offset == 0) {
                closeChannel();
                Files.deleteIfExists(receiving);
                fsyncDirectory(spool);
            } else {
                channel.truncate(offset);
                channel.force(true);
                closeChannel();
                Path cut = SpoolFile.pathOf(spool, segment, SpoolFile.State.TIMELINE_END);
                Files.move(receiving, cut, StandardCopyOption.ATOMIC_MOVE);
                fsyncDirectory(spool);
                durable = received;
                unsyncedBytes = 0;
                publishSpoolFile(cut, segment, true);
            }
        } catch (IOException e) {
            throw failure(cluster, "cannot finish WAL segment " + segment + " at the end of timeline " + timeline, e);
        }
        timeline = null;
        current = null;
    }

    /**
     * Keeps the fsynced bytes of a segment whose receiving was interrupted and will not be resumed
     * (its timeline ended while we were away, or the server no longer has the rest): the valid
     * prefix — whole pages whose headers are this segment's, up to the first zero page — is
     * checked and published as the segment's partial copy, and the spool file removed.
     *
     * @return where the salvaged WAL ends, or empty when the file held none
     */
    public Optional<Lsn> salvage(WalSegmentName segment) {
        if (channel != null && segment.equals(current)) {
            throw new IllegalStateException("cluster " + cluster + ": cannot salvage " + current + " while it is open");
        }
        Path file = SpoolFile.pathOf(spool, segment, SpoolFile.State.RECEIVING);
        try {
            if (!Files.exists(file)) {
                return Optional.empty();
            }
            long length = SpoolSalvage.validPrefix(file, segment, systemIdentifier, size);
            while (length > 0) {
                try {
                    checkAndHashPrefix(file, segment, length);
                    break;
                } catch (CellarException torn) {
                    // The last page may have been torn by the crash: give it up, not the rest.
                    length -= WalSegmentValidator.DEFAULT_BLOCK_SIZE;
                }
            }
            if (length > 0) {
                Path cut = SpoolFile.pathOf(spool, segment, SpoolFile.State.TIMELINE_END);
                try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
                    ch.truncate(length);
                    ch.force(true);
                }
                Files.move(file, cut, StandardCopyOption.ATOMIC_MOVE);
                fsyncDirectory(spool);
                log.warn("cluster {}: kept {} bytes of the interrupted segment {} as its partial copy", cluster, length,
                        segment);
                publishSpoolFile(cut, segment, true);
                return Optional.of(segment.startLsn().plus(length));
            }
            Files.delete(file);
            fsyncDirectory(spool);
            log.warn("cluster {}: the interrupted spool file {} held no WAL; removed", cluster, file);
            return Optional.empty();
        } catch (IOException e) {
            throw failure(cluster, "cannot salvage " + file, e);
        }
    }

    private void checkAndHashPrefix(Path file, WalSegmentName segment, long length) throws IOException {
        checkAndHash(file, segment, true, length);
    }

    /** Where the received WAL ends (written, not necessarily fsynced). */
    public Lsn received() {
        return received;
    }

    /** Where the fsynced WAL ends: everything before it survives a crash. */
    public Lsn durable() {
        return durable;
    }

    /** Bytes written since the last fsync. */
    public long unsyncedBytes() {
        return unsyncedBytes;
    }

    /** The timeline being received, if {@link #begin} was called and the timeline has not ended. */
    public Optional<TimelineId> timeline() {
        return Optional.ofNullable(timeline);
    }

    /** Fsyncs and closes the open segment file without publishing it: streaming resumes there. */
    @Override
    public void close() {
        if (channel != null) {
            sync();
            closeChannel();
        }
    }

    private void openSegment(WalSegmentName segment) {
        Path file = SpoolFile.pathOf(spool, segment, SpoolFile.State.RECEIVING);
        try {
            boolean created = !Files.exists(file);
            channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.READ);
            if (created) {
                Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
                fsyncDirectory(spool);
            }
            if (channel.size() != size.bytes()) {
                // Sparse: zeros past the received bytes, as PostgreSQL's own segments are padded.
                channel.truncate(Math.min(channel.size(), size.bytes()));
                channel.write(ByteBuffer.allocate(1), size.bytes() - 1L);
            }
        } catch (IOException e) {
            throw failure(cluster, "cannot open spool file " + file, e);
        }
        current = segment;
        offset = received.segmentOffset(size);
        if (offset != 0) {
            throw new IllegalStateException("a new segment must start at its first byte, not " + received);
        }
    }

    private void completeSegment() {
        WalSegmentName segment = current;
        try {
            channel.force(false);
            closeChannel();
            Path complete = SpoolFile.pathOf(spool, segment, SpoolFile.State.COMPLETE);
            Files.move(SpoolFile.pathOf(spool, segment, SpoolFile.State.RECEIVING), complete,
                    StandardCopyOption.ATOMIC_MOVE);
            fsyncDirectory(spool);
            unsyncedBytes = 0;
            durable = received;
            publishSpoolFile(complete, segment, false);
        } catch (IOException e) {
            throw failure(cluster, "cannot complete WAL segment " + segment + " in " + spool, e);
        }
        current = null;
        offset = 0;
    }

    /** Checks and hashes a finished spool file, publishes it, then removes it. */
    private void publishSpoolFile(Path file, WalSegmentName segment, boolean partial) {
        try {
            long length = Files.size(file);
            String sha256;
            try {
                sha256 = checkAndHash(file, segment, partial, length);
            } catch (CellarException e) {
                throw new CellarException(e.code(), "cluster " + cluster + ": " + e.getMessage(),
                        "The received bytes are kept in " + file + " and were not archived; streaming stops "
                                + "until this is understood (a server bug, a disk error, or another cluster behind "
                                + "the conninfo).", e);
            }
            try (InputStream in = Files.newInputStream(file)) {
                publisher.publish(segment, partial, in, length, sha256);
            }
            Files.delete(file);
            fsyncDirectory(spool);
            log.debug("cluster {}: published {}{} ({} bytes)", cluster, segment, partial ? " (partial)" : "", length);
        } catch (IOException e) {
            throw failure(cluster, "cannot publish spool file " + file, e);
        }
    }

    private String checkAndHash(Path file, WalSegmentName segment, boolean partial, long length) throws IOException {
        WalSegmentValidator validator = WalSegmentValidator.forSegment(segment, systemIdentifier);
        if (major.isPresent()) {
            validator = validator.expectingMajor(major.getAsInt());
        }
        var check = (partial ? validator.allowingPartial() : validator).start();
        MessageDigest digest = dev.cellar.storage.io.Sha256.newDigest();
        int blockSize = validator.blockSize();
        ByteBuffer page = ByteBuffer.allocate(blockSize);
        try (FileChannel in = FileChannel.open(file, StandardOpenOption.READ)) {
            long at = 0;
            while (at < length) {
                page.clear().limit((int) Math.min(blockSize, length - at));
                while (page.hasRemaining()) {
                    if (in.read(page, at + page.position()) < 0) {
                        throw new IOException(file + " ended early at " + (at + page.position()));
                    }
                }
                page.flip();
                check.acceptPage(page);
                digest.update(page);
                at += page.limit();
            }
        }
        check.finish();
        return HexFormat.of().formatHex(digest.digest());
    }

    private void closeChannel() {
        try {
            channel.close();
        } catch (IOException e) {
            log.warn("cluster {}: closing spool file of {} failed: {}", cluster, current, e.toString());
        } finally {
            channel = null;
        }
    }

    private static List<SpoolFile> list(Path spool, WalSegmentSize size, String cluster) {
        try (Stream<Path> files = Files.list(spool)) {
            List<SpoolFile> result = new ArrayList<>();
            for (Path file : files.sorted().toList()) {
                Optional<SpoolFile> parsed = SpoolFile.parse(file, size);
                if (parsed.isPresent()) {
                    result.add(parsed.get());
                } else {
                    log.warn("cluster {}: ignoring unexpected file {} in the spool", cluster, file);
                }
            }
            result.sort(Comparator.comparing(SpoolFile::segment, SEGMENT_ORDER));
            return result;
        } catch (IOException e) {
            throw failure(cluster, "cannot list the spool directory " + spool, e);
        }
    }

    static void fsyncDirectory(Path directory) throws IOException {
        try (FileChannel dir = FileChannel.open(directory, StandardOpenOption.READ)) {
            dir.force(true);
        }
    }

    private static CellarException failure(String cluster, String what, IOException e) {
        return new CellarException(ErrorCode.STORAGE_FAILED, "cluster " + cluster + ": " + what + ": " + e.getMessage(),
                "Check free space and permissions of the repository's disk; streaming resumes from the last "
                        + "durable position once it is fixed.", e);
    }
}
