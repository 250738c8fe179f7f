package dev.cellar.restore.postgres;

import dev.cellar.core.CellarException;
import dev.cellar.core.ErrorCode;
import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;

/**
 * The operating-system user a PostgreSQL server runs as. PostgreSQL refuses to start as root, so
 * when this JVM runs as root (containers, CI) servers run as an unprivileged user through
 * {@code setpriv}, and files this JVM writes into their directories are handed to that user.
 * Otherwise servers run as the current user and nothing changes hands. Immutable, thread-safe.
 */
public sealed interface ServerUser {

    /** The prefix to put before a server program's command line (empty when no switch is needed). */
    List<String> commandPrefix();

    /** Gives {@code path} (not following a link) to the server user; a no-op when that is us. */
    void own(Path path);

    /** Gives a whole tree to the server user. */
    default void ownRecursively(Path root) {
        try {
            Files.walkFileTree(root, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
                    own(dir);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                    own(file);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            throw new CellarException(ErrorCode.POSTGRES_SERVER_FAILED, "cannot change owner of " + root + ": " + e,
                    null, e);
        }
    }

    /** Whether the server processes run as a different user from this JVM. */
    boolean isSwitched();

    /** Chooses by the JVM's own uid: {@link Unprivileged} for root, {@link Current} otherwise. */
    static ServerUser forThisProcess() {
        return currentUid() == 0 ? Unprivileged.nobody() : new Current();
    }

    static int currentUid() {
        try {
            return (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
        } catch (IOException | UnsupportedOperationException e) {
            return -1;
        }
    }

    /** Servers run as this JVM's user. */
    record Current() implements ServerUser {
        @Override
        public List<String> commandPrefix() {
            return List.of();
        }

        @Override
        public void own(Path path) {
        }

        @Override
        public boolean isSwitched() {
            return false;
        }
    }

    /**
     * Servers run as {@code name} (uid/gid given), entered with {@code setpriv} from util-linux,
     * which is present on every Debian-like system and, unlike {@code su}, needs no PAM or shell.
     */
    record Unprivileged(String name, int uid, int gid) implements ServerUser {
        static Unprivileged nobody() {
            return new Unprivileged("nobody", 65534, 65534);
        }

        @Override
        public List<String> commandPrefix() {
            return List.of("setpriv", "--reuid=" + uid, "--regid=" + gid, "--clear-groups");
        }

        @Override
        public void own(Path path) {
            try {
                Files.setAttribute(path, "unix:uid", uid, LinkOption.NOFOLLOW_LINKS);
                Files.setAttribute(path, "unix:gid", gid, LinkOption.NOFOLLOW_LINKS);
            } catch (IOException e) {
                throw new CellarException(ErrorCode.POSTGRES_SERVER_FAILED,
                        "cannot give " + path + " to user " + name + ": " + e,
                        "The server user must own its data directory; run Cellar as root or as that user.", e);
            }
        }

        @Override
        public boolean isSwitched() {
            return true;
        }
    }
}
