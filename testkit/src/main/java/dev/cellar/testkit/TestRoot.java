package dev.cellar.testkit;

import dev.cellar.restore.postgres.ServerUser;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The directory under which one test JVM puts every server, repository and scratch file:
 * {@code <tmp>/cellar-it-<uid>/run-<pid>-<start>} (one base per OS user, so runs of different users
 * never touch each other's files). It lives under the temporary directory, never a home
 * directory, because servers run as an unprivileged user when tests run as root and every
 * directory on the path must be traversable by that user.
 *
 * <p>On first use it sweeps what runs killed with SIGKILL left behind: their still-running
 * postmasters are killed and their directories deleted.
 */
public final class TestRoot {
    private static final Pattern RUN_DIR = Pattern.compile("run-(\\d+)-\\d+");
    private static final AtomicInteger COUNTER = new AtomicInteger();
    private static volatile Path current;

    private TestRoot() {
    }

    /** This JVM's run directory, created (and stale runs swept) on first call. */
    public static Path get() {
        Path root = current;
        if (root == null) {
            synchronized (TestRoot.class) {
                root = current;
                if (root == null) {
                    root = create();
                    current = root;
                }
            }
        }
        return root;
    }

    /** A new, empty directory under the run directory, readable by the server user. */
    public static Path newDirectory(String prefix) {
        Path dir = get().resolve(prefix + "-" + COUNTER.incrementAndGet());
        try {
            Files.createDirectories(dir);
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return dir;
    }

    /** The user every test server runs as. */
    public static ServerUser serverUser() {
        return ServerUser.forThisProcess();
    }

    private static Path create() {
        Path base = Path.of(System.getProperty("java.io.tmpdir"), "cellar-it-" + ServerUser.currentUid());
        try {
            Files.createDirectories(base);
            Files.setPosixFilePermissions(base, PosixFilePermissions.fromString("rwxr-xr-x"));
            sweepStaleRuns(base);
            Path run = base.resolve("run-" + ProcessHandle.current().pid() + "-" + System.currentTimeMillis());
            Files.createDirectories(run);
            Files.setPosixFilePermissions(run, PosixFilePermissions.fromString("rwxr-xr-x"));
            Runtime.getRuntime().addShutdownHook(Thread.ofPlatform().unstarted(() -> deleteQuietly(run)));
            return run;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the test root under " + base, e);
        }
    }

    private static void sweepStaleRuns(Path base) throws IOException {
        List<Path> runs;
        try (Stream<Path> s = Files.list(base)) {
            runs = s.toList();
        }
        for (Path run : runs) {
            Matcher m = RUN_DIR.matcher(run.getFileName().toString());
            if (!m.matches()) {
                continue;
            }
            long owner = Long.parseLong(m.group(1));
            if (ProcessHandle.of(owner).map(ProcessHandle::isAlive).orElse(false)) {
                continue;
            }
            killPostmastersUnder(run);
            deleteQuietly(run);
        }
    }

    private static void killPostmastersUnder(Path run) throws IOException {
        try (Stream<Path> files = Files.find(run, 4, (p, a) -> p.getFileName().toString().equals("postmaster.pid"))) {
            for (Path pidFile : files.toList()) {
                try {
                    String first = Files.readAllLines(pidFile, StandardCharsets.UTF_8).getFirst().strip();
                    long pid = Long.parseLong(first);
                    ProcessHandle.of(pid)
                            .filter(h -> h.info().command().map(c -> c.endsWith("postgres")).orElse(false))
                            .ifPresent(ProcessHandle::destroyForcibly);
                } catch (IOException | RuntimeException ignored) {
                    // A pid file being written or removed right now: nothing to kill.
                }
            }
        }
    }

    static void deleteQuietly(Path root) {
        try {
            Files.walkFileTree(root, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Files.deleteIfExists(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path file, IOException exc) {
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path dir, IOException exc) throws IOException {
                    try {
                        Files.deleteIfExists(dir);
                    } catch (IOException ignored) {
                        // A server still writing into it; the next run's sweep removes it.
                    }
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (NoSuchFileException ignored) {
            // Already gone.
        } catch (IOException ignored) {
            // Best effort.
        }
    }
}
