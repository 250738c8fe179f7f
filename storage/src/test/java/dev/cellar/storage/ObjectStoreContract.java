package dev.cellar.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

import dev.cellar.core.CellarException;
import dev.cellar.core.ErrorCode;
import dev.cellar.storage.io.Sha256;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every {@link ObjectStore} must do. Each store's test extends this class and supplies a fresh,
 * empty store; S3Store will run the same tests against a real S3 endpoint.
 */
public abstract class ObjectStoreContract {
    private static final ObjectKey KEY = ObjectKey.of("clusters/c1/backups/b1/data/0001");

    protected ObjectStore store;

    /** A fresh, empty store for one test. */
    protected abstract ObjectStore newStore() throws IOException;

    /** Whether the store can hold keys outside ASCII here (a local store needs a UTF-8 file-name encoding). */
    protected boolean storesNonAsciiKeys() {
        return true;
    }

    @BeforeEach
    void createStore() throws IOException {
        store = newStore();
    }

    // --- put, get, head ----------------------------------------------------------------------

    @Test
    void putThenGetReturnsTheSameBytesAndTheirChecksum() throws IOException {
        byte[] content = randomBytes(1_000_003, 1);

        ObjectInfo info = store.put(KEY, new ByteArrayInputStream(content), WriteOptions.failIfExists());

        assertThat(info.key()).isEqualTo(KEY);
        assertThat(info.size()).isEqualTo(content.length);
        assertThat(info.sha256()).contains(Sha256.hex(content));
        assertThat(read(store.get(KEY))).isEqualTo(content);
    }

    @Test
    void emptyObjectsAreObjects() throws IOException {
        ObjectInfo info = store.put(KEY, InputStream.nullInputStream(), WriteOptions.failIfExists().withExpectedSize(0));

        assertThat(info.size()).isZero();
        assertThat(info.sha256()).contains("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
        assertThat(read(store.get(KEY))).isEmpty();
        assertThat(store.head(KEY)).get().extracting(ObjectInfo::size).isEqualTo(0L);
    }

    @Test
    void putDoesNotCloseTheCallersStream() {
        boolean[] closed = {false};
        InputStream content = new ByteArrayInputStream(bytes("abc")) {
            @Override
            public void close() {
                closed[0] = true;
            }
        };

        store.put(KEY, content, WriteOptions.replace());

        assertThat(closed[0]).isFalse();
    }

    @Test
    void headDescribesTheObjectWithoutReadingIt() {
        ObjectInfo put = store.put(KEY, new ByteArrayInputStream(bytes("hello")), WriteOptions.failIfExists());

        ObjectInfo head = store.head(KEY).orElseThrow();

        assertThat(head.key()).isEqualTo(KEY);
        assertThat(head.size()).isEqualTo(5);
        assertThat(head.lastModified()).isEqualTo(put.lastModified());
        if (store.features().contains(StoreFeature.STORED_SHA256)) {
            assertThat(head.sha256()).isEqualTo(put.sha256());
        } else {
            assertThat(head.sha256()).isEmpty();
        }
    }

    @Test
    void aMissingObjectHasNoHeadAndCannotBeRead() {
        ObjectKey missing = ObjectKey.of("clusters/c1/cluster.json");

        assertThat(store.head(missing)).isEmpty();
        assertThatThrownBy(() -> store.get(missing))
                .isInstanceOf(ObjectNotFoundException.class)
                .hasMessage("object clusters/c1/cluster.json does not exist in " + store.describe())
                .satisfies(e -> assertThat(((CellarException) e).code()).isEqualTo(ErrorCode.OBJECT_CORRUPT));
        assertThatThrownBy(() -> store.get(missing, 0, 10)).isInstanceOf(ObjectNotFoundException.class);
    }

    @Test
    void aPrefixOfAnObjectIsNotAnObject() {
        store.put(KEY, new ByteArrayInputStream(bytes("x")), WriteOptions.failIfExists());

        assertThat(store.head(ObjectKey.of("clusters/c1"))).isEmpty();
        assertThatThrownBy(() -> store.get(ObjectKey.of("clusters/c1"))).isInstanceOf(ObjectNotFoundException.class);
    }

    // --- ranged get ------------------------------------------------------------------------------

    @Test
    void rangedGetReadsTheStartTheMiddleAndTheEnd() throws IOException {
        byte[] content = randomBytes(100_000, 2);
        store.put(KEY, new ByteArrayInputStream(content), WriteOptions.failIfExists());

        assertThat(read(store.get(KEY, 0, 10))).isEqualTo(slice(content, 0, 10));
        assertThat(read(store.get(KEY, 40_000, 20_000))).isEqualTo(slice(content, 40_000, 20_000));
        assertThat(read(store.get(KEY, 99_990, 10))).isEqualTo(slice(content, 99_990, 10));
        assertThat(read(store.get(KEY, 0, 100_000))).isEqualTo(content);
        assertThat(read(store.get(KEY, 5, 0))).isEmpty();
    }

    @Test
    void rangedGetPastTheEndStopsAtTheEnd() throws IOException {
        byte[] content = randomBytes(1000, 3);
        store.put(KEY, new ByteArrayInputStream(content), WriteOptions.failIfExists());

        assertThat(read(store.get(KEY, 990, 100))).isEqualTo(slice(content, 990, 10));
        assertThat(read(store.get(KEY, 900, Long.MAX_VALUE))).isEqualTo(slice(content, 900, 100));
        assertThat(read(store.get(KEY, 1000, 10))).isEmpty();
        assertThat(read(store.get(KEY, 5000, 10))).isEmpty();
    }

    @Test
    void rangedGetRefusesNegativeArguments() {
        store.put(KEY, new ByteArrayInputStream(bytes("abc")), WriteOptions.failIfExists());

        assertThatThrownBy(() -> store.get(KEY, -1, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> store.get(KEY, 0, -1)).isInstanceOf(IllegalArgumentException.class);
    }

    // --- overwrite policy ----------------------------------------------------------------------

    @Test
    void failIfExistsKeepsTheExistingObject() throws IOException {
        store.put(KEY, new ByteArrayInputStream(bytes("first")), WriteOptions.failIfExists());

        assertThatThrownBy(() -> store.put(KEY, new ByteArrayInputStream(bytes("second")), WriteOptions.failIfExists()))
                .isInstanceOf(ObjectExistsException.class)
                .hasMessage("object " + KEY + " already exists in " + store.describe() + "; it was not replaced")
                .satisfies(e -> assertThat(((CellarException) e).isRetryable()).isFalse());
        assertThat(read(store.get(KEY))).isEqualTo(bytes("first"));
    }

    @Test
    void replaceReplacesTheWholeObject() throws IOException {
        store.put(KEY, new ByteArrayInputStream(randomBytes(50_000, 4)), WriteOptions.failIfExists());

        ObjectInfo info = store.put(KEY, new ByteArrayInputStream(bytes("short")), WriteOptions.replace());

        assertThat(info.size()).isEqualTo(5);
        assertThat(read(store.get(KEY))).isEqualTo(bytes("short"));
        assertThat(store.listAll("")).hasSize(1);
    }

    @Test
    void ofConcurrentFailIfExistsWritersExactlyOneWins() throws Exception {
        int writers = 8;
        CountDownLatch start = new CountDownLatch(1);
        List<Callable<String>> tasks = new ArrayList<>();
        for (int i = 0; i < writers; i++) {
            byte[] content = bytes("writer " + i);
            tasks.add(() -> {
                start.await();
                try {
                    store.put(KEY, new ByteArrayInputStream(content), WriteOptions.failIfExists());
                    return new String(content, StandardCharsets.UTF_8);
                } catch (ObjectExistsException e) {
                    return null;
                }
            });
        }
        ExecutorService pool = Executors.newFixedThreadPool(writers);
        try {
            List<Future<String>> results = tasks.stream().map(pool::submit).toList();
            start.countDown();
            List<String> winners = new ArrayList<>();
            for (Future<String> result : results) {
                Optional.ofNullable(result.get()).ifPresent(winners::add);
            }
            assertThat(winners).hasSize(1);
            assertThat(new String(read(store.get(KEY)), StandardCharsets.UTF_8)).isEqualTo(winners.get(0));
        } finally {
            pool.shutdownNow();
        }
    }

    // --- failed puts publish nothing ---------------------------------------------------------

    @Test
    void aStreamShorterThanExpectedPublishesNothing() {
        assertThatThrownBy(() -> store.put(KEY, new ByteArrayInputStream(new byte[9]), WriteOptions.failIfExists().withExpectedSize(10)))
                .isInstanceOf(CellarException.class)
                .hasMessage("cannot write object " + KEY + " to " + store.describe()
                        + ": the stream ended after 9 bytes, 10 were expected; nothing was stored")
                .satisfies(e -> assertThat(((CellarException) e).code()).isEqualTo(ErrorCode.STORAGE_FAILED));
        assertNothingStored();
    }

    @Test
    void aStreamLongerThanExpectedPublishesNothingAndIsNotReadToItsEnd() {
        int[] served = {0};
        InputStream endless = new InputStream() {
            @Override
            public int read() {
                served[0]++;
                return 7;
            }
        };

        assertThatThrownBy(() -> store.put(KEY, endless, WriteOptions.failIfExists().withExpectedSize(10)))
                .hasMessage("cannot write object " + KEY + " to " + store.describe()
                        + ": the stream yielded more than the expected 10 bytes; nothing was stored");
        assertThat(served[0]).isEqualTo(11);
        assertNothingStored();
    }

    @Test
    void aStreamWithAnotherChecksumThanExpectedPublishesNothing() {
        String expected = Sha256.hex(bytes("abd"));

        assertThatThrownBy(() -> store.put(KEY, new ByteArrayInputStream(bytes("abc")), WriteOptions.replace().withExpectedSha256(expected)))
                .hasMessage("cannot write object " + KEY + " to " + store.describe() + ": the stream's SHA-256 is "
                        + Sha256.hex(bytes("abc")) + ", " + expected + " was expected; nothing was stored");
        assertNothingStored();
    }

    @Test
    void aFailedReplaceLeavesTheOldObject() throws IOException {
        store.put(KEY, new ByteArrayInputStream(bytes("old")), WriteOptions.failIfExists());

        assertThatThrownBy(() -> store.put(KEY, failingAfter(70_000, new IOException("connection reset")), WriteOptions.replace()))
                .isInstanceOf(CellarException.class);

        assertThat(read(store.get(KEY))).isEqualTo(bytes("old"));
    }

    @Test
    void aStreamThatFailsMidwayPublishesNothing() {
        assertThatThrownBy(() -> store.put(KEY, failingAfter(300_000, new IOException("connection reset")), WriteOptions.failIfExists()))
                .isInstanceOf(CellarException.class)
                .hasMessage("cannot write object " + KEY + " to " + store.describe()
                        + ": IOException: connection reset; nothing was stored")
                .satisfies(e -> assertThat(((CellarException) e).isRetryable()).isTrue());
        assertNothingStored();
    }

    @Test
    void aCellarExceptionFromTheStreamIsPassedOnUnchanged() {
        CellarException upstream = new CellarException(ErrorCode.OBJECT_CORRUPT, "source object is corrupt");

        assertThatThrownBy(() -> store.put(KEY, failingAfter(1000, upstream), WriteOptions.failIfExists()))
                .isSameAs(upstream);
        assertNothingStored();
    }

    // --- list --------------------------------------------------------------------------------

    private static final List<String> LAYOUT = List.of(
            "a",
            "backups/b1/backup.json",
            "backups/b1/data/0001",
            "backups/b1/data/0002",
            "wal/000000010000000000000001",
            "wal/000000010000000000000002",
            "wal/00000002.history",
            "wal/000000020000000000000003",
            "walnut",
            "x/a-b",
            "x/a.b",
            "x/a/b",
            "x/a0",
            "z");

    @Test
    void listReturnsEveryObjectSortedByKey() {
        putAll(LAYOUT);

        assertThat(keys(store.list("", Optional.empty(), 1000))).containsExactlyElementsOf(LAYOUT);
        assertThat(store.list("", Optional.empty(), 1000).hasMore()).isFalse();
    }

    @Test
    void listReportsSizesAndTimes() {
        ObjectInfo put = store.put(KEY, new ByteArrayInputStream(bytes("12345")), WriteOptions.failIfExists());

        ObjectInfo listed = store.list("", Optional.empty(), 10).objects().get(0);

        assertThat(listed.key()).isEqualTo(KEY);
        assertThat(listed.size()).isEqualTo(5);
        assertThat(listed.lastModified()).isEqualTo(put.lastModified());
    }

    @Test
    void listFiltersByPrefixIncludingAPartialSegment() {
        putAll(LAYOUT);

        assertThat(keys(store.list("wal/", Optional.empty(), 1000))).containsExactly(
                "wal/000000010000000000000001", "wal/000000010000000000000002", "wal/00000002.history",
                "wal/000000020000000000000003");
        assertThat(keys(store.list("wal/0000", Optional.empty(), 1000))).containsExactly(
                "wal/000000010000000000000001", "wal/000000010000000000000002", "wal/00000002.history",
                "wal/000000020000000000000003");
        assertThat(keys(store.list("wal/00000001", Optional.empty(), 1000))).containsExactly(
                "wal/000000010000000000000001", "wal/000000010000000000000002");
        assertThat(keys(store.list("wal", Optional.empty(), 1000))).containsExactly(
                "wal/000000010000000000000001", "wal/000000010000000000000002", "wal/00000002.history",
                "wal/000000020000000000000003", "walnut");
        assertThat(keys(store.list("x/a", Optional.empty(), 1000))).containsExactly("x/a-b", "x/a.b", "x/a/b", "x/a0");
        assertThat(keys(store.list("backups/b1/data/0002", Optional.empty(), 1000))).containsExactly("backups/b1/data/0002");
        assertThat(keys(store.list("nothing/", Optional.empty(), 1000))).isEmpty();
        assertThat(keys(store.list("a/", Optional.empty(), 1000))).isEmpty();
    }

    @Test
    void listPagesContinueWhereThePreviousEnded() {
        putAll(LAYOUT);
        List<String> seen = new ArrayList<>();
        Optional<String> startAfter = Optional.empty();
        int pages = 0;
        do {
            ObjectPage page = store.list("", startAfter, 3);
            assertThat(page.objects()).hasSizeLessThanOrEqualTo(3);
            seen.addAll(keys(page));
            startAfter = page.nextStartAfter();
            pages++;
        } while (startAfter.isPresent() && pages < 100);

        assertThat(seen).containsExactlyElementsOf(LAYOUT);
        assertThat(pages).isBetween(5, 6);
    }

    @Test
    void listStartsAfterAnyKeyExistingOrNot() {
        putAll(LAYOUT);

        assertThat(keys(store.list("", Optional.of("backups/b1/data/0001"), 3)))
                .containsExactly("backups/b1/data/0002", "wal/000000010000000000000001", "wal/000000010000000000000002");
        assertThat(keys(store.list("wal/", Optional.of("wal/000000010000000000000001x"), 1000)))
                .containsExactly("wal/000000010000000000000002", "wal/00000002.history", "wal/000000020000000000000003");
        assertThat(keys(store.list("x/", Optional.of("x/a."), 1000))).containsExactly("x/a.b", "x/a/b", "x/a0");
        assertThat(keys(store.list("x/", Optional.of("x/a/"), 1000))).containsExactly("x/a/b", "x/a0");
        assertThat(keys(store.list("wal/", Optional.of("a"), 1000))).hasSize(4);
        assertThat(keys(store.list("", Optional.of("zz"), 1000))).isEmpty();
        assertThat(keys(store.list("wal/", Optional.of("walnut"), 1000))).isEmpty();
    }

    @Test
    void listSortsByCodePoint() {
        assumeThat(storesNonAsciiKeys()).as("non-ASCII keys").isTrue();
        putAll(List.of("u/\uD83D\uDE00", "u/\uE000", "u/z"));

        assertThat(keys(store.list("u/", Optional.empty(), 10))).containsExactly("u/z", "u/\uE000", "u/\uD83D\uDE00");
        assertThat(keys(store.list("u/", Optional.of("u/\uE000"), 10))).containsExactly("u/\uD83D\uDE00");
    }

    @Test
    void listRefusesABadPrefixOrPageSize() {
        assertThatThrownBy(() -> store.list("/wal", Optional.empty(), 10))
                .hasMessage("invalid prefix \"/wal\": it must be relative (no leading '/')");
        assertThatThrownBy(() -> store.list("wal/../..", Optional.empty(), 10))
                .hasMessage("invalid prefix \"wal/../..\": it contains a '..' segment");
        assertThatThrownBy(() -> store.list("", Optional.empty(), 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("page size must be between 1 and 1000: 0");
        assertThatThrownBy(() -> store.list("", Optional.empty(), 1001)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void listAllFollowsPagesToTheEnd() {
        List<String> many = IntStream.range(0, 1001).mapToObj(i -> "wal/%024X".formatted(i)).toList();
        putAll(many);
        putAll(List.of("walnut", "backups/b1"));

        assertThat(store.listAll("wal/").map(info -> info.key().value())).containsExactlyElementsOf(many);
        assertThat(store.listAll("")).hasSize(1003);
    }

    // --- delete ------------------------------------------------------------------------------

    @Test
    void deleteIsIdempotent() {
        putAll(List.of(KEY.value(), "other"));

        store.delete(KEY);
        store.delete(KEY);
        store.delete(ObjectKey.of("never/there"));

        assertThat(store.head(KEY)).isEmpty();
        assertThatThrownBy(() -> store.get(KEY)).isInstanceOf(ObjectNotFoundException.class);
        assertThat(keys(store.list("", Optional.empty(), 10))).containsExactly("other");
    }

    @Test
    void deletingAPrefixDeletesNothing() {
        putAll(List.of(KEY.value()));

        store.delete(ObjectKey.of("clusters/c1"));

        assertThat(store.head(KEY)).isPresent();
    }

    @Test
    void aDeletedKeyCanBeWrittenAgain() throws IOException {
        putAll(List.of(KEY.value()));
        store.delete(KEY);

        store.put(KEY, new ByteArrayInputStream(bytes("again")), WriteOptions.failIfExists());

        assertThat(read(store.get(KEY))).isEqualTo(bytes("again"));
    }

    @Test
    void deleteAllDeletesEveryListedObjectAndIgnoresMissingOnes() {
        putAll(LAYOUT);

        store.deleteAll(List.of(ObjectKey.of("a"), ObjectKey.of("wal/000000010000000000000001"),
                ObjectKey.of("wal/000000010000000000000002"), ObjectKey.of("not/there"), ObjectKey.of("x/a/b")));

        assertThat(keys(store.list("", Optional.empty(), 1000))).containsExactly(
                "backups/b1/backup.json", "backups/b1/data/0001", "backups/b1/data/0002", "wal/00000002.history",
                "wal/000000020000000000000003", "walnut", "x/a-b", "x/a.b", "x/a0", "z");
    }

    // --- helpers -----------------------------------------------------------------------------

    private void assertNothingStored() {
        assertThat(store.head(KEY)).isEmpty();
        assertThat(store.listAll("")).isEmpty();
    }

    protected void putAll(List<String> keys) {
        for (String key : keys) {
            store.put(ObjectKey.of(key), new ByteArrayInputStream(bytes(key)), WriteOptions.failIfExists());
        }
    }

    protected static List<String> keys(ObjectPage page) {
        return page.objects().stream().map(info -> info.key().value()).toList();
    }

    protected static byte[] read(InputStream in) throws IOException {
        try (in) {
            return in.readAllBytes();
        }
    }

    protected static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    protected static byte[] randomBytes(int size, long seed) {
        byte[] bytes = new byte[size];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    private static byte[] slice(byte[] bytes, int from, int length) {
        return java.util.Arrays.copyOfRange(bytes, from, from + length);
    }

    /** Yields {@code size} bytes, then throws (an IOException or a RuntimeException). */
    protected static InputStream failingAfter(int size, Exception failure) {
        return new InputStream() {
            private int served;

            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] buffer, int offset, int length) throws IOException {
                if (served >= size) {
                    if (failure instanceof IOException io) {
                        throw io;
                    }
                    throw (RuntimeException) failure;
                }
                int n = Math.min(length, size - served);
                served += n;
                return n;
            }
        };
    }
}
