package dev.cellar.storage.backup;

import dev.cellar.core.CellarException;
import dev.cellar.core.ErrorCode;
import dev.cellar.storage.ObjectInfo;
import dev.cellar.storage.ObjectKey;
import dev.cellar.storage.ObjectStore;
import dev.cellar.storage.codec.BlockEncoder;
import dev.cellar.storage.codec.Codec;
import dev.cellar.storage.codec.StoredObject;
import dev.cellar.storage.repository.BackupInfo;
import dev.cellar.storage.repository.Repository;
import dev.cellar.storage.repository.RepositoryLayout;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Stores one base backup's archive streams as they arrive: each archive's file contents are cut
 * into chunks of {@link BackupWriterSettings#chunkSize()} bytes, compressed independently and
 * stored as objects {@code data/<archive>/<NNNNNN>.chunk[.zst]} by a pool of worker threads; the
 * entries (paths, types, modes, times, sizes, checksums, offsets) go to one file index object,
 * {@code files.jsonl[.zst]}, written by {@link #finish()}. The caller then writes
 * {@code backup.json} listing {@link BackupContents#objects()} ({@link Repository#commitBackup}).
 * Format: docs/repository-format.md; reading back: {@link BackupFiles}.
 *
 * <p>Use: {@link #openArchive} for each archive in the order received, {@link ArchiveSink#write}
 * its bytes, {@link ArchiveSink#close()} at its end; {@link #putManifest} for
 * {@code backup_manifest}; {@link #finish()}; and always {@link #close()}, which abandons an
 * unfinished backup and deletes what it stored.
 *
 * <p><b>Threads.</b> Every archive is parsed on a thread of its own, fed through a bounded pipe;
 * chunks are compressed and stored by {@link BackupWriterSettings#workers()} threads. Memory is
 * bounded by {@link BackupWriterSettings#memoryBound()} plus the index (a few hundred bytes per
 * entry): when the workers fall behind, the parser waits for a free chunk buffer, the pipe fills,
 * and {@link ArchiveSink#write} blocks the receive thread.
 *
 * <p><b>Thread-safety.</b> {@code openArchive}, the sinks, {@code putManifest} and {@code finish}
 * must be called from one thread at a time (the receive thread). {@link #progress()} may be
 * called from any thread at any time, and so may {@link #close()}: from another thread it aborts
 * the backup, and a call blocked in the receive thread then throws.
 *
 * <p><b>Failures.</b> The first failure (a refused entry, a damaged stream, a store error) fails
 * the backup: it is thrown by the next call, and by every later one, with the cluster, backup id,
 * archive and entry in its message. Nothing written so far is ever committed; {@link #close()}
 * deletes it.
 */
public final class BackupWriter implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(BackupWriter.class);

    private final Repository repository;
    private final String cluster;
    private final String backupId;
    private final Codec codec;
    private final BackupWriterSettings settings;
    private final String context;
    private final ChunkBufferPool buffers;
    private final ThreadPoolExecutor workers;
    private final ConcurrentLinkedQueue<BlockEncoder> idleEncoders = new ConcurrentLinkedQueue<>();
    private final List<BlockEncoder> allEncoders = new ArrayList<>();
    /** Every key a put was attempted for, so that an abort can delete it. */
    private final Set<ObjectKey> written = ConcurrentHashMap.newKeySet();
    private final AtomicReference<CellarException> failure = new AtomicReference<>();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final AtomicLong received = new AtomicLong();
    private final AtomicLong content = new AtomicLong();
    private final AtomicLong stored = new AtomicLong();
    private final AtomicInteger chunksStored = new AtomicInteger();
    /** Archives in the order received, with their chunks by sequence (filled by the workers). */
    private final List<ArchiveParser> archives = new ArrayList<>();
    private final Map<String, Map<Integer, StoredObject>> chunks = new ConcurrentHashMap<>();
    private volatile Sink current;
    private StoredObject manifest;
    /** Guarded by this: set once, by whichever of finish and an abort comes first. */
    private boolean finished;
    private boolean aborted;

    /**
     * Prepares a backup. Nothing is stored and no thread started until the first archive.
     *
     * @param codec how chunks, index and manifest are stored (chunks are compressed one per worker
     *     thread, whatever {@link Codec.Zstd#workers()} says)
     * @throws CellarException ({@code BACKUP_FAILED}) when the backup's directory already holds
     *     objects: a backup id is never reused
     */
    public BackupWriter(Repository repository, String cluster, String backupId, Codec codec,
                        BackupWriterSettings settings) {
        this.repository = Objects.requireNonNull(repository, "repository");
        this.cluster = Objects.requireNonNull(cluster, "cluster");
        this.backupId = Objects.requireNonNull(backupId, "backupId");
        this.codec = Objects.requireNonNull(codec, "codec");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.context = "cluster " + cluster + ", backup " + backupId;
        String prefix = RepositoryLayout.backupPrefix(cluster, backupId);
        if (!repository.store().list(prefix, Optional.empty(), 1).objects().isEmpty()) {
            throw new CellarException(ErrorCode.BACKUP_FAILED, context + ": the backup's directory " + prefix
                    + " already holds objects in " + repository.store().describe(),
                    "backup ids are never reused; remove the leftovers of an interrupted backup (the server does so"
                            + " at start) or choose another id");
        }
        this.buffers = new ChunkBufferPool(settings.chunkSize(), settings.bufferedChunks());
        this.workers = new ThreadPoolExecutor(settings.workers(), settings.workers(), 0, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), threads("cellar-backup-" + backupId + "-chunk-"));
    }

    /**
     * Opens the next archive of the stream; the previous one must be closed. Starts its parser.
     *
     * @param name the name PostgreSQL sends ({@code base.tar}, {@code 16390.tar}; with
     *     {@code .gz}, {@code .lz4} or {@code .zst} when the server compresses, in which case the
     *     parser thread decompresses the stream), or the bare archive name ({@code base},
     *     {@code 16390}) for an uncompressed stream. The archive is known by its bare name from
     *     then on ({@link ArchiveSink#archive()}, chunk names, the index).
     * @throws CellarException the backup's failure; {@code BACKUP_FAILED} for an archive sent
     *     twice; {@code INVALID_VALUE} for an invalid name
     * @throws IllegalStateException when an archive is open or the writer finished or closed
     */
    public ArchiveSink openArchive(String name) {
        ArchiveName parsed = ArchiveName.parse(name);
        String archive = parsed.archive();
        checkUsable();
        if (current != null) {
            throw new IllegalStateException("archive " + current.parser.archive() + " is still open");
        }
        if (chunks.containsKey(archive)) {
            throw new CellarException(ErrorCode.BACKUP_FAILED, context + ": archive " + archive + " was sent twice",
                    ArchiveEntryPolicy.HOSTILE_HINT);
        }
        chunks.put(archive, new ConcurrentHashMap<>());
        StreamPipe pipe = new StreamPipe(settings.pipeBytes());
        ArchiveParser parser = new ArchiveParser(parsed, context, pipe, buffers, settings.chunkSize(),
                settings.fileChecksum(), new ParserCallbacks(), content);
        archives.add(parser);
        Sink sink = new Sink(parser, pipe);
        current = sink;
        if (failure.get() != null) { // an abort raced with us
            pipe.breakPipe("the backup failed");
        }
        Thread.ofPlatform().name("cellar-backup-" + backupId + "-parse-" + archive).daemon(true).start(parser);
        return sink;
    }

    /**
     * Stores PostgreSQL's {@code backup_manifest} as {@code backup_manifest[.zst]}, its bytes
     * exactly as received (encoded with the codec); reads {@code manifest} to its end, does not
     * close it. No archive may be open. At most once.
     *
     * @throws CellarException the backup's failure, or the store's error (which fails the backup)
     */
    public StoredObject putManifest(InputStream manifest) {
        Objects.requireNonNull(manifest, "manifest");
        checkUsable();
        if (current != null) {
            throw new IllegalStateException("archive " + current.parser.archive() + " is still open");
        }
        if (this.manifest != null) {
            throw new IllegalStateException("the manifest was already stored");
        }
        String relative = "backup_manifest" + codec.fileSuffix();
        StoredObject object = store(relative,
                () -> repository.putBackupObject(cluster, backupId, relative, manifest, codec));
        this.manifest = object;
        return object;
    }

    /**
     * Completes the backup's data: waits until every chunk is stored, writes the file index, and
     * returns what {@code backup.json} needs. All archives must be closed, {@code base} among them.
     * On failure the backup has failed: {@link #close()} then deletes what was stored.
     *
     * @throws CellarException the backup's failure, or {@code BACKUP_FAILED} when no base archive
     *     was received
     */
    public BackupContents finish() {
        checkUsable();
        if (current != null) {
            throw new IllegalStateException("archive " + current.parser.archive() + " is still open");
        }
        if (!chunks.containsKey(ArchiveEntryPolicy.BASE)) {
            throw fail(new CellarException(ErrorCode.BACKUP_FAILED, context + ": the server sent no base archive",
                    ArchiveEntryPolicy.HOSTILE_HINT));
        }
        workers.shutdown();
        awaitWorkers();
        throwIfFailed();

        List<BackupInfo.BackupObject> objects = new ArrayList<>();
        List<FileIndex.ArchiveHeader> headers = new ArrayList<>();
        List<BackupEntry> entries = new ArrayList<>();
        long logical = 0;
        for (ArchiveParser archive : archives) {
            Map<Integer, StoredObject> stored = chunks.get(archive.archive());
            for (int sequence = 0; sequence < archive.chunkCount(); sequence++) {
                StoredObject chunk = stored.get(sequence);
                if (chunk == null) {
                    throw fail(new CellarException(ErrorCode.INTERNAL, context + ": chunk " + sequence + " of archive "
                            + archive.archive() + " was not stored"));
                }
                objects.add(new BackupInfo.BackupObject("chunk", archive.archive(), sequence, chunk));
                logical += chunk.logicalSize();
            }
            headers.add(new FileIndex.ArchiveHeader(archive.archive(), archive.entries().size(), archive.chunkCount(),
                    archive.contentSize()));
            entries.addAll(archive.entries());
        }
        FileIndex.Header header = new FileIndex.Header(FileIndex.FORMAT, FileIndex.CONTENT, cluster, backupId,
                settings.chunkSize(), settings.fileChecksum().pgName(), headers);
        String relative = FileIndex.objectName(codec);
        StoredObject index = store(relative, () -> repository.putBackupObject(cluster, backupId, relative,
                FileIndex.stream(header, entries.iterator()), codec));
        objects.add(new BackupInfo.BackupObject("index", null, 0, index));
        synchronized (this) {
            if (aborted) {
                throw copy(failure.get());
            }
            finished = true;
        }
        closeEncoders();
        return new BackupContents(objects, Optional.ofNullable(manifest), entries, logical, stored.get());
    }

    /** What has happened so far; any thread, any time. */
    public BackupProgress progress() {
        return new BackupProgress(received.get(), content.get(), chunksStored.get(), stored.get());
    }

    /**
     * Releases everything. After {@link #finish()} returned, that is all. Otherwise the backup is
     * abandoned: parsers and workers are stopped (a running chunk put completes first), and every
     * object stored for this backup is deleted, best effort (a failed delete is logged; the
     * directory then has no {@code backup.json} and is an incomplete backup, which the server
     * removes). Idempotent; may be called from any thread.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        boolean abandon;
        synchronized (this) {
            abandon = !finished;
            aborted = abandon;
        }
        if (!abandon) {
            workers.shutdown();
            return;
        }
        fail(new CellarException(ErrorCode.BACKUP_FAILED, context + ": the backup was abandoned before it finished"));
        Sink sink = current;
        if (sink != null) {
            sink.parser.awaitDone();
        }
        workers.shutdown();
        awaitWorkers();
        closeEncoders();
        deleteStored();
    }

    // ---- internals ------------------------------------------------------------------------------

    private final class Sink implements ArchiveSink {
        final ArchiveParser parser;
        final StreamPipe pipe;
        boolean closedSink;

        Sink(ArchiveParser parser, StreamPipe pipe) {
            this.parser = parser;
            this.pipe = pipe;
        }

        @Override
        public String archive() {
            return parser.archive();
        }

        @Override
        public void write(ByteBuffer bytes) {
            if (closedSink) {
                throw new IllegalStateException("archive " + parser.archive() + " is closed");
            }
            throwIfFailed();
            int n = bytes.remaining();
            try {
                pipe.write(bytes);
            } catch (StreamPipe.BrokenPipeException e) {
                throwIfFailed();
                throw new IllegalStateException("the pipe of archive " + parser.archive() + " broke without a failure",
                        e);
            } catch (InterruptedIOException e) {
                throw fail(new CellarException(ErrorCode.BACKUP_FAILED, context + ": archive " + parser.archive()
                        + ": interrupted while writing", null, e));
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
            received.addAndGet(n);
        }

        @Override
        public void close() {
            if (closedSink) {
                return;
            }
            closedSink = true;
            pipe.closeWrite();
            parser.awaitDone();
            current = null;
            throwIfFailed();
        }
    }

    private final class ParserCallbacks implements ArchiveParser.Chunks {
        @Override
        public void submit(String archive, int sequence, byte[] buffer, int length) throws IOException {
            try {
                workers.execute(() -> storeChunk(archive, sequence, buffer, length));
            } catch (RejectedExecutionException e) {
                buffers.release(buffer);
                throw new StreamPipe.BrokenPipeException("the backup's workers have stopped");
            }
        }

        @Override
        public void fail(CellarException failure) {
            BackupWriter.this.fail(failure);
        }
    }

    /** Runs on a worker: compresses and stores one chunk, then gives its buffer back. */
    private void storeChunk(String archive, int sequence, byte[] buffer, int length) {
        try {
            if (failure.get() != null) {
                return;
            }
            String relative = chunkName(archive, sequence, codec);
            BlockEncoder encoder = encoder();
            try {
                StoredObject object = store(relative, () -> repository.putBackupBlock(cluster, backupId, relative,
                        encoder, buffer, 0, length));
                chunks.get(archive).put(sequence, object);
                chunksStored.incrementAndGet();
            } finally {
                idleEncoders.add(encoder);
            }
        } catch (CellarException e) {
            // store() has recorded it.
        } catch (RuntimeException | Error e) {
            fail(new CellarException(ErrorCode.INTERNAL, context + ": storing chunk " + sequence + " of archive "
                    + archive + " failed unexpectedly: " + e, null, e));
        } finally {
            buffers.release(buffer);
        }
    }

    /** {@code data/<archive>/<sequence, 6 digits or more>.chunk<codec suffix>}. */
    static String chunkName(String archive, int sequence, Codec codec) {
        return "data/" + archive + "/" + "%06d".formatted(sequence) + ".chunk" + codec.fileSuffix();
    }

    private BlockEncoder encoder() {
        BlockEncoder encoder = idleEncoders.poll();
        if (encoder == null) {
            encoder = new BlockEncoder(codec, settings.chunkSize());
            synchronized (allEncoders) {
                allEncoders.add(encoder);
            }
        }
        return encoder;
    }

    private void closeEncoders() {
        synchronized (allEncoders) {
            allEncoders.forEach(BlockEncoder::close);
            allEncoders.clear();
        }
        idleEncoders.clear();
    }

    /** Stores one object, remembering its key first, failing the backup if the store fails. */
    private StoredObject store(String relative, Supplier<StoredObject> put) {
        ObjectKey key = RepositoryLayout.backupObject(cluster, backupId, relative);
        written.add(key);
        StoredObject object;
        try {
            object = put.get();
        } catch (CellarException e) {
            throw fail(new CellarException(e.code(), context + ": " + e.getMessage(), e.hint().orElse(null), e));
        }
        boolean abandoned;
        synchronized (this) {
            abandoned = aborted;
        }
        if (abandoned) {
            // close() ran during the put and may have deleted before the object existed.
            try {
                repository.store().delete(key);
            } catch (RuntimeException e) {
                log.warn("{}: cannot delete {} of the abandoned backup: {}", context, key, e.getMessage());
            }
            throw copy(failure.get());
        }
        stored.addAndGet(object.storedSize());
        return object;
    }

    /** Records the backup's first failure and wakes every thread that waits; returns the first failure. */
    private CellarException fail(CellarException e) {
        if (failure.compareAndSet(null, e)) {
            Sink sink = current;
            if (sink != null) {
                sink.pipe.breakPipe(e.getMessage());
            }
            buffers.abort(e.getMessage());
        }
        return copy(failure.get());
    }

    private void throwIfFailed() {
        CellarException e = failure.get();
        if (e != null) {
            throw copy(e);
        }
    }

    /** The failure, thrown again on this thread (its cause keeps the original stack). */
    private static CellarException copy(CellarException e) {
        return new CellarException(e.code(), e.getMessage(), e.hint().orElse(null), e);
    }

    private void checkUsable() {
        throwIfFailed();
        synchronized (this) {
            if (finished) {
                throw new IllegalStateException("backup " + backupId + " is already finished");
            }
        }
        if (closed.get()) {
            throw new IllegalStateException("backup " + backupId + " writer is closed");
        }
    }

    private void awaitWorkers() {
        boolean interrupted = false;
        while (true) {
            try {
                if (workers.awaitTermination(1, TimeUnit.MINUTES)) {
                    break;
                }
                log.info("{}: waiting for {} chunk puts to complete", context, workers.getActiveCount());
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private void deleteStored() {
        ObjectStore store = repository.store();
        ObjectKey marker = RepositoryLayout.backupJson(cluster, backupId);
        Set<ObjectKey> keys = new TreeSet<>(written);
        try {
            store.listAll(RepositoryLayout.backupPrefix(cluster, backupId)).map(ObjectInfo::key).forEach(keys::add);
        } catch (RuntimeException e) {
            log.warn("{}: cannot list the abandoned backup's objects: {}", context, e.getMessage());
        }
        if (keys.contains(marker) && store.head(marker).isPresent()) {
            log.error("{}: {} exists although the writer did not finish; leaving the backup as it is", context, marker);
            return;
        }
        try {
            store.deleteAll(new HashSet<>(keys));
            log.info("{}: abandoned; deleted its {} stored objects", context, keys.size());
        } catch (RuntimeException e) {
            log.warn("{}: abandoned, but some of its objects could not be deleted ({}); the backup stays incomplete"
                    + " and is removed by the server's cleanup", context, e.getMessage());
        }
    }

    private static ThreadFactory threads(String prefix) {
        AtomicInteger number = new AtomicInteger();
        return runnable -> Thread.ofPlatform().name(prefix + number.incrementAndGet()).daemon(true).unstarted(runnable);
    }
}
