package dev.cellar.storage;

import java.io.InputStream;
import java.util.Collection;
import java.util.Collections;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.Set;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/**
 * A flat namespace of immutable-once-written byte objects addressed by {@link ObjectKey}: the
 * contract every storage driver (local directory, S3, in memory) implements, and the only way the
 * rest of Cellar touches stored bytes. The required operations are few; optional behaviour is
 * declared by {@link #features()}.
 *
 * <p><b>Thread-safety.</b> Implementations are safe for concurrent use by any number of threads.
 * Concurrent puts of one key never mix bytes: with {@link OverwritePolicy#REPLACE} one of them is
 * the final object, with {@link OverwritePolicy#FAIL_IF_EXISTS} exactly one succeeds. Streams
 * returned by {@code get} belong to the caller and are not thread-safe.
 *
 * <p><b>Blocking.</b> Every method blocks the calling thread on I/O (disk or network) and may take
 * long for large objects; call it off any event loop. Returned streams block on {@code read}.
 *
 * <p><b>Nullability.</b> No parameter may be null and no method returns null; absence is an
 * {@link Optional} or {@link ObjectNotFoundException}.
 *
 * <p><b>Errors.</b> I/O failures are {@link dev.cellar.core.CellarException}s with code
 * {@code STORAGE_FAILED} naming the key and the store ({@link #describe()}); a missing object is an
 * {@link ObjectNotFoundException}; a taken key under {@code FAIL_IF_EXISTS} is an
 * {@link ObjectExistsException}; an invalid argument is an {@link IllegalArgumentException} (or a
 * {@code CellarException} with code {@code INVALID_VALUE} for a malformed prefix). Reads from a
 * returned stream report failures as {@link java.io.IOException}, as streams do.
 */
public interface ObjectStore {
    /** The largest page {@link #list} returns (S3's limit). */
    int MAX_PAGE_SIZE = 1000;

    /** What this store is, for messages: {@code local store /var/lib/cellar}. */
    String describe();

    /** The optional behaviour this store provides; a new set each call. */
    Set<StoreFeature> features();

    /**
     * Stores the stream's bytes under the key, reading it to its end (it is not closed). The object
     * is published atomically: it is either fully there or, if anything fails (the stream throws,
     * yields a size or checksum other than expected, the key is taken under
     * {@code FAIL_IF_EXISTS}, the disk is full), absent or unchanged.
     *
     * @return the published object, with the size and SHA-256 of the bytes just written
     * @throws ObjectExistsException under {@code FAIL_IF_EXISTS} when the key exists
     * @throws dev.cellar.core.CellarException ({@code STORAGE_FAILED}) when writing fails or the
     *     stream does not match {@code options}; if the stream itself threw a
     *     {@code CellarException}, that one is rethrown
     */
    ObjectInfo put(ObjectKey key, InputStream content, WriteOptions options);

    /**
     * The whole object. The caller must close the stream.
     *
     * @throws ObjectNotFoundException when there is no such object
     */
    InputStream get(ObjectKey key);

    /**
     * At most {@code length} bytes of the object starting at {@code offset}. Like a file read, a
     * range reaching past the end yields the bytes up to the end, and one starting at or past the
     * end yields none. The caller must close the stream.
     *
     * @throws IllegalArgumentException when {@code offset} or {@code length} is negative
     * @throws ObjectNotFoundException when there is no such object
     */
    InputStream get(ObjectKey key, long offset, long length);

    /** The object's metadata, or empty when there is no such object. */
    Optional<ObjectInfo> head(ObjectKey key);

    /**
     * One page of the objects whose keys start with {@code prefix} (plain string prefix: {@code
     * wal/0000} matches {@code wal/000000010000000000000001}), in {@link ObjectKey#ORDER}, starting
     * after the key {@code startAfter} when given. Pages reflect the store at the time of each call;
     * objects written or deleted between calls may or may not appear.
     *
     * @param prefix empty for all objects; checked by {@link ObjectKey#checkPrefix}
     * @param pageSize 1 to {@value #MAX_PAGE_SIZE}
     */
    ObjectPage list(String prefix, Optional<String> startAfter, int pageSize);

    /**
     * All objects under a prefix, as a lazy stream of {@link #list} pages; it may be used once and
     * needs no closing.
     */
    default Stream<ObjectInfo> listAll(String prefix) {
        ObjectKey.checkPrefix(prefix);
        Iterator<ObjectInfo> objects = new Iterator<>() {
            private Iterator<ObjectInfo> page = Collections.emptyIterator();
            private Optional<String> next = Optional.empty();
            private boolean started;

            @Override
            public boolean hasNext() {
                while (!page.hasNext() && (!started || next.isPresent())) {
                    ObjectPage fetched = list(prefix, next, MAX_PAGE_SIZE);
                    started = true;
                    page = fetched.objects().iterator();
                    next = fetched.nextStartAfter();
                }
                return page.hasNext();
            }

            @Override
            public ObjectInfo next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                return page.next();
            }
        };
        int characteristics = Spliterator.ORDERED | Spliterator.NONNULL | Spliterator.DISTINCT;
        return StreamSupport.stream(Spliterators.spliteratorUnknownSize(objects, characteristics), false);
    }

    /** Deletes the object if it exists; deleting a missing object succeeds (idempotent). */
    void delete(ObjectKey key);

    /**
     * Deletes every listed object that exists. All keys are attempted even when some fail; the
     * failure then names how many could not be deleted.
     */
    default void deleteAll(Collection<ObjectKey> keys) {
        BatchFailures failures = new BatchFailures("delete", describe());
        for (ObjectKey key : keys) {
            try {
                delete(key);
            } catch (RuntimeException e) {
                failures.add(key, e);
            }
        }
        failures.throwIfAny();
    }
}
