package dev.cellar.storage.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.cellar.core.CellarException;
import dev.cellar.core.ErrorCode;
import dev.cellar.storage.ObjectKey;
import dev.cellar.storage.ObjectStore;
import dev.cellar.storage.ObjectStoreContract;
import dev.cellar.storage.StoreFeature;
import dev.cellar.storage.WriteOptions;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

class LocalStoreTest extends ObjectStoreContract {
    @TempDir
    Path temp;

    private Path root;

    @Override
    protected ObjectStore newStore() throws IOException {
        root = Files.createDirectory(temp.resolve("repo"));
        return LocalStore.open(root);
    }

    @Override
    protected boolean storesNonAsciiKeys() {
        return "UTF-8".equals(System.getProperty("sun.jnu.encoding"));
    }

    private LocalStore local() {
        return (LocalStore) store;
    }

    @Test
    void itDescribesItselfAndDeclaresWhatItCan() throws IOException {
        assertThat(store.describe()).isEqualTo("local store " + root.toRealPath());
        assertThat(store.features()).containsExactlyInAnyOrder(StoreFeature.ATOMIC_RENAME, StoreFeature.DIRECTORY_SYNC,
                StoreFeature.RANGED_READ, StoreFeature.LOCAL_PATHS);
    }

    @Test
    void objectsAreFilesAtTheirKeysPath() throws IOException {
        store.put(ObjectKey.of("a/b/c"), new ByteArrayInputStream(bytes("abc")), WriteOptions.failIfExists());

        assertThat(local().pathOf(ObjectKey.of("a/b/c"))).isEqualTo(root.toRealPath().resolve("a/b/c"));
        assertThat(Files.readString(root.resolve("a/b/c"))).isEqualTo("abc");
    }

    @Test
    void objectsAreMode0600AndDirectoriesMode0700() throws IOException {
        store.put(ObjectKey.of("clusters/c1/cluster.json"), new ByteArrayInputStream(bytes("{}")), WriteOptions.failIfExists());
        store.put(ObjectKey.of("clusters/c1/wal"), new ByteArrayInputStream(bytes("x")), WriteOptions.replace());

        assertThat(mode(root.resolve("clusters/c1/cluster.json"))).isEqualTo("rw-------");
        assertThat(mode(root.resolve("clusters/c1/wal"))).isEqualTo("rw-------");
        assertThat(mode(root.resolve("clusters"))).isEqualTo("rwx------");
        assertThat(mode(root.resolve("clusters/c1"))).isEqualTo("rwx------");
    }

    @Test
    void theTemporaryFileSitsInTheTargetsDirectoryAndIsGoneAfterwards() throws IOException {
        Path directory = root.resolve("wal/00000001");
        List<String> seenWhileWriting = new ArrayList<>();
        InputStream content = new ByteArrayInputStream(new byte[100_000]) {
            @Override
            public synchronized int read(byte[] buffer, int offset, int length) {
                if (seenWhileWriting.isEmpty() && pos > 0) {
                    seenWhileWriting.addAll(names(directory));
                }
                return super.read(buffer, offset, Math.min(length, 10_000));
            }
        };

        store.put(ObjectKey.of("wal/00000001/000000010000000000000001"), content, WriteOptions.failIfExists());

        assertThat(seenWhileWriting).singleElement().asString().matches("\\.tmp-" + ProcessHandle.current().pid() + "-[0-9a-f]{16}");
        assertThat(names(directory)).containsExactly("000000010000000000000001");
        assertThat(store.listAll("")).hasSize(1);
    }

    @Test
    void failIfExistsPublishesByAHardLinkAndRemovesTheTemporaryName() throws IOException {
        store.put(ObjectKey.of("a/b"), new ByteArrayInputStream(bytes("x")), WriteOptions.failIfExists());

        assertThat(Files.getAttribute(root.resolve("a/b"), "unix:nlink")).isEqualTo(1);
        assertThat(names(root.resolve("a"))).containsExactly("b");
    }

    @Test
    void aFailedPutLeavesNoTemporaryFile() {
        assertThatThrownBy(() -> store.put(ObjectKey.of("a/b"), failingAfter(500_000, new IOException("gone")), WriteOptions.replace()))
                .isInstanceOf(CellarException.class);

        assertThat(names(root.resolve("a"))).isEmpty();
    }

    @Test
    void openRemovesOldTemporaryFilesAndKeepsRecentOnes() throws IOException {
        Files.createDirectories(root.resolve("wal/00000001"));
        Path oldInRoot = Files.writeString(root.resolve(".tmp-0000000000000001"), "half");
        Path oldDeep = Files.writeString(root.resolve("wal/00000001/.tmp-0000000000000002"), "half");
        Path recent = Files.writeString(root.resolve("wal/00000001/.tmp-0000000000000003"), "being written");
        Path object = Files.writeString(root.resolve("wal/00000001/000000010000000000000001"), "whole");
        FileTime anHourAgo = FileTime.from(Instant.now().minus(1, ChronoUnit.HOURS));
        Files.setLastModifiedTime(oldInRoot, anHourAgo);
        Files.setLastModifiedTime(oldDeep, anHourAgo);
        ListAppender<ILoggingEvent> log = captureLog(LeftoverTempFiles.class);

        LocalStore.open(root);

        assertThat(oldInRoot).doesNotExist();
        assertThat(oldDeep).doesNotExist();
        assertThat(recent).exists();
        assertThat(object).exists();
        assertThat(log.list).extracting(ILoggingEvent::getFormattedMessage).containsExactly(
                "removed 2 temporary files left by interrupted writes under " + root.toRealPath(),
                "kept 1 temporary files under " + root.toRealPath() + " modified within the last 15 minutes:"
                        + " they may belong to a write in progress in another process");
        assertThat(log.list).extracting(event -> event.getLevel().toString()).containsOnly("INFO");
    }

    @Test
    void openRemovesRecentTemporaryFilesOfADeadWriterAndKeepsThoseOfLiveOnes() throws Exception {
        Process finished = new ProcessBuilder("true").start();
        finished.waitFor();
        Files.createDirectories(root.resolve("wal/00000001"));
        Path ofDeadWriter = Files.writeString(root.resolve("wal/00000001/.tmp-" + finished.pid() + "-00000000000000a1"), "half");
        Path ofLiveWriter = Files.writeString(root.resolve("wal/00000001/.tmp-" + ProcessHandle.current().parent()
                .orElseThrow().pid() + "-00000000000000a2"), "being written");

        LocalStore.open(root);

        assertThat(ofDeadWriter).doesNotExist();
        assertThat(ofLiveWriter).exists();
    }

    @Test
    void openRefusesAMissingRoot() {
        Path missing = temp.resolve("nowhere");

        assertThatThrownBy(() -> LocalStore.open(missing))
                .isInstanceOf(CellarException.class)
                .hasMessage("local store root " + missing + " does not exist or is not a directory")
                .satisfies(e -> assertThat(((CellarException) e).hint()).contains(
                        "create it (mode 0700, owned by the user running Cellar) or point the repository at an existing directory"));
    }

    @Test
    void aRootReachedThroughASymbolicLinkIsResolvedToItsRealPath() throws IOException {
        Path link = Files.createSymbolicLink(temp.resolve("repo-link"), root);

        LocalStore viaLink = LocalStore.open(link);
        viaLink.put(ObjectKey.of("a"), new ByteArrayInputStream(bytes("x")), WriteOptions.failIfExists());

        assertThat(viaLink.root()).isEqualTo(root.toRealPath());
        assertThat(store.head(ObjectKey.of("a"))).isPresent();
    }

    @Test
    void keysThatEscapeTheRootThroughASymbolicLinkAreRefused() throws IOException {
        Path outside = Files.createDirectory(temp.resolve("outside"));
        Files.writeString(outside.resolve("secret"), "do not read");
        Files.createSymbolicLink(root.resolve("evil"), outside);
        String refusal = "refusing object evil/%s in " + store.describe() + ": its directory resolves to "
                + outside.toRealPath() + " through a symbolic link, outside the store root " + root.toRealPath();

        assertThatThrownBy(() -> store.put(ObjectKey.of("evil/planted"), new ByteArrayInputStream(bytes("x")), WriteOptions.replace()))
                .isInstanceOf(CellarException.class)
                .hasMessage(refusal.formatted("planted"))
                .satisfies(e -> assertThat(((CellarException) e).code()).isEqualTo(ErrorCode.STORAGE_FAILED));
        assertThatThrownBy(() -> store.put(ObjectKey.of("evil/deeper/planted"), new ByteArrayInputStream(bytes("x")), WriteOptions.replace()))
                .hasMessage(refusal.formatted("deeper/planted"));
        assertThatThrownBy(() -> store.get(ObjectKey.of("evil/secret"))).hasMessage(refusal.formatted("secret"));
        assertThatThrownBy(() -> store.head(ObjectKey.of("evil/secret"))).hasMessage(refusal.formatted("secret"));
        assertThatThrownBy(() -> store.delete(ObjectKey.of("evil/secret"))).hasMessage(refusal.formatted("secret"));
        assertThat(names(outside)).containsExactly("secret");
    }

    @Test
    void anObjectThatIsASymbolicLinkIsRefused() throws IOException {
        Path outside = Files.writeString(temp.resolve("passwd"), "root:x:0:0");
        Files.createSymbolicLink(root.resolve("link"), outside);

        assertThatThrownBy(() -> store.get(ObjectKey.of("link")))
                .hasMessage("refusing object link in " + store.describe()
                        + ": it is a symbolic link or special file, which Cellar never creates");
        assertThat(keys(store.list("", Optional.empty(), 10))).isEmpty();
    }

    @Test
    void symbolicLinksInsideTheRootAreFollowedForReadsAndWrites() throws IOException {
        Files.createDirectories(root.resolve("real/dir"));
        Files.createSymbolicLink(root.resolve("alias"), root.resolve("real/dir"));

        store.put(ObjectKey.of("alias/x"), new ByteArrayInputStream(bytes("x")), WriteOptions.failIfExists());

        assertThat(read(store.get(ObjectKey.of("real/dir/x")))).isEqualTo(bytes("x"));
    }

    @Test
    void anObjectCannotAlsoBeADirectoryOfObjects() {
        store.put(ObjectKey.of("a/b"), new ByteArrayInputStream(bytes("x")), WriteOptions.failIfExists());

        assertThatThrownBy(() -> store.put(ObjectKey.of("a/b/c"), new ByteArrayInputStream(bytes("y")), WriteOptions.failIfExists()))
                .hasMessage("cannot write object a/b/c to " + store.describe() + ": a/b is an object, not a directory;"
                        + " a local store cannot hold both an object and objects under it as a prefix");
        assertThatThrownBy(() -> store.put(ObjectKey.of("a"), new ByteArrayInputStream(bytes("y")), WriteOptions.replace()))
                .hasMessage("cannot write object a to " + store.describe() + ": a is a directory of other objects;"
                        + " a local store cannot hold both an object and objects under it as a prefix");
        assertThatThrownBy(() -> store.put(ObjectKey.of("a"), new ByteArrayInputStream(bytes("y")), WriteOptions.failIfExists()))
                .isNotInstanceOf(dev.cellar.storage.ObjectExistsException.class);
        assertThat(names(root)).containsExactly("a");
    }

    @Test
    void listingSkipsFilesWhoseNamesAreNotKeys() throws IOException {
        Files.createDirectories(root.resolve("d"));
        Files.writeString(root.resolve("d/back\\slash"), "x");
        Files.writeString(root.resolve("d/fine"), "x");

        assertThat(keys(store.list("", Optional.empty(), 10))).containsExactly("d/fine");
    }

    private static String mode(Path path) throws IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(path));
    }

    private static List<String> names(Path directory) {
        try (Stream<Path> children = Files.list(directory)) {
            return children.map(p -> p.getFileName().toString()).sorted().toList();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static ListAppender<ILoggingEvent> captureLog(Class<?> source) {
        Logger logger = (Logger) LoggerFactory.getLogger(source);
        ListAppender<ILoggingEvent> appender = new ListAppender<>();
        appender.start();
        logger.addAppender(appender);
        return appender;
    }
}
