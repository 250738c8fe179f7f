package dev.cellar.server.packaging;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * The distribution's {@code bin/backupctl}: runs the CLI on a Java 21+, and refuses clearly when
 * the java it finds is older or missing. Old and missing javas are simulated with scripts, so the
 * test does not depend on which JDKs the machine has.
 */
@EnabledIfSystemProperty(named = "cellar.dist.dir", matches = ".+", disabledReason = PackagingPaths.NEEDS_PACKAGE)
class LauncherPackagingIT {
    @TempDir
    Path temp;

    private final Path home = PackagingPaths.distribution();
    private final Path launcher = home.resolve("bin/backupctl");

    @Test
    void printsTheVersionWithTheJavaOfJavaHome() throws Exception {
        ScriptRun run = launch(Map.of("JAVA_HOME", PackagingPaths.javaHome().toString()), "--version");

        assertThat(run.exitCode()).as(run.stderr()).isZero();
        assertThat(run.stdout().strip()).isEqualTo("backupctl " + System.getProperty("cellar.version"));
        assertThat(run.stderr()).as("no JVM warning about native access").isEmpty();
    }

    @Test
    void findsItsDistributionThroughASymbolicLink() throws Exception {
        Path link = Files.createSymbolicLink(temp.resolve("backupctl"), launcher);

        ScriptRun run = ScriptRun.run(List.of(link.toString(), "--version"),
                Map.of("JAVA_HOME", PackagingPaths.javaHome().toString(), "PATH", "/usr/bin:/bin"), temp);

        Files.delete(link); // JUnit warns about links out of a temporary directory it deletes
        assertThat(run.exitCode()).as(run.stderr()).isZero();
        assertThat(run.stdout()).startsWith("backupctl ");
    }

    @Test
    void passesJavaOptsTheNativeAccessFlagTheClassPathAndTheArgumentsToJava() throws Exception {
        Path javaHome = fakeJava(temp.resolve("jdk21"), "openjdk version \"21.0.4\" 2024-07-16");

        ScriptRun run = launch(Map.of("JAVA_HOME", javaHome.toString(), "JAVA_OPTS", "-Xmx64m -Dx=*"),
                "list-backups", "two words");

        assertThat(run.exitCode()).as(run.stderr()).isZero();
        assertThat(run.stdout().lines().toList()).containsExactly("-Xmx64m", "-Dx=*",
                "--enable-native-access=ALL-UNNAMED", "-cp", home + "/lib/*", "dev.cellar.server.cli.BackupCtl",
                "list-backups", "two words", "CELLAR_PG_DIST=" + home.resolve("pgdist"));
    }

    @Test
    void writesAClassDataArchiveAtTheFirstRunAndMapsItAtLaterOnes() throws Exception {
        Path cds = temp.resolve("cache dir");
        Map<String, String> env = Map.of("JAVA_HOME", PackagingPaths.javaHome().toString(), "CELLAR_CDS_DIR",
                cds.toString());

        ScriptRun first = launch(env, "--version");
        List<Path> archives;
        try (var files = Files.list(cds)) {
            archives = files.toList();
        }
        assertThat(first.exitCode()).as(first.stderr()).isZero();
        assertThat(first.stderr()).isEmpty();
        assertThat(archives).hasSize(1);
        assertThat(archives.getFirst().getFileName().toString()).startsWith("backupctl-").endsWith(".jsa");
        var written = Files.getLastModifiedTime(archives.getFirst());

        ScriptRun second = launch(env, "--version");
        assertThat(second.exitCode()).as(second.stderr()).isZero();
        assertThat(second.stdout()).isEqualTo(first.stdout());
        assertThat(second.stderr()).isEmpty();
        assertThat(Files.getLastModifiedTime(archives.getFirst())).as("mapped, not written again").isEqualTo(written);
    }

    @Test
    void mapsTheArchiveInTheUsersCacheNamedAfterTheJavaVersionUnlessTurnedOff() throws Exception {
        Path javaHome = fakeJava(temp.resolve("jdk21"), "openjdk version \"21.0.4\" 2024-07-16");
        Path userHome = Files.createDirectories(temp.resolve("home"));
        Path archive = Files.createDirectories(userHome.resolve(".cache/cellar")).resolve("backupctl-21.0.4.jsa");
        Files.write(archive, new byte[] {1});

        ScriptRun on = launch(Map.of("JAVA_HOME", javaHome.toString(), "HOME", userHome.toString()), "status");
        ScriptRun off = launch(Map.of("JAVA_HOME", javaHome.toString(), "HOME", userHome.toString(), "CELLAR_CDS",
                "off"), "status");

        assertThat(on.stdout().lines().toList()).containsSubsequence("-cp", home + "/lib/*", "-Xlog:cds*=off",
                "-XX:SharedArchiveFile=" + archive, "dev.cellar.server.cli.BackupCtl", "status");
        assertThat(on.stdout()).as("mapped only, never written by the command").doesNotContain("AutoCreate",
                "ArchiveClassesAtExit");
        assertThat(off.stdout()).doesNotContain("SharedArchive");
    }

    @Test
    void walGetNeitherWaitsForAnArchiveNorUsesADirectoryOthersMayWrite() throws Exception {
        Path javaHome = fakeJava(temp.resolve("jdk21"), "openjdk version \"21.0.4\" 2024-07-16");
        Path cds = Files.createDirectories(temp.resolve("cds"));

        ScriptRun walGet = launch(Map.of("JAVA_HOME", javaHome.toString(), "CELLAR_CDS_DIR", cds.toString()),
                "--repository", "/r", "wal-get", "--cluster", "c", "000000010000000000000001", "/tmp/x");
        try (var files = Files.list(cds)) {
            assertThat(files.toList()).as("no archive made for wal-get").isEmpty();
        }
        assertThat(walGet.stdout()).doesNotContain("SharedArchive", "ArchiveClassesAtExit");

        Files.write(cds.resolve("backupctl-21.0.4.jsa"), new byte[] {1});
        Files.setPosixFilePermissions(cds, PosixFilePermissions.fromString("rwxrwxr-x"));
        ScriptRun shared = launch(Map.of("JAVA_HOME", javaHome.toString(), "CELLAR_CDS_DIR", cds.toString()),
                "status");
        assertThat(shared.stdout()).doesNotContain("SharedArchive");
    }

    @Test
    void aDamagedArchiveIsIgnoredAndAnOutdatedOrMissingOneIsMadeAgain() throws Exception {
        Path cds = Files.createDirectories(temp.resolve("cds"));
        Map<String, String> env = Map.of("JAVA_HOME", PackagingPaths.javaHome().toString(), "CELLAR_CDS_DIR",
                cds.toString());
        assertThat(launch(env, "--version").exitCode()).isZero();
        Path archive;
        try (var files = Files.list(cds)) {
            archive = files.findFirst().orElseThrow();
        }
        Files.write(archive, new byte[64 * 1024]); // zeros: no header

        ScriptRun damaged = launch(env, "--version");
        assertThat(damaged.exitCode()).as(damaged.stderr()).isZero();
        assertThat(damaged.stderr()).isEmpty();
        assertThat(damaged.stdout().strip()).isEqualTo("backupctl " + System.getProperty("cellar.version"));

        Files.setLastModifiedTime(archive, java.nio.file.attribute.FileTime.fromMillis(0)); // older than lib/
        assertThat(launch(env, "--version").exitCode()).isZero();
        assertThat(Files.size(archive)).as("made again after lib/ changed").isGreaterThan(64 * 1024);

        Files.delete(archive);
        assertThat(launch(env, "--version").exitCode()).isZero();
        assertThat(Files.size(archive)).as("made again").isGreaterThan(64 * 1024);
        try (var files = Files.list(cds)) {
            assertThat(files.toList()).as("no temporary file left").containsExactly(archive);
        }
    }

    @Test
    void refusesAnOldJavaFromJavaHome() throws Exception {
        Path javaHome = fakeJava(temp.resolve("jdk17"), "openjdk version \"17.0.12\" 2024-07-16");

        ScriptRun run = launch(Map.of("JAVA_HOME", javaHome.toString()), "--version");

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.stdout()).as("java never ran backupctl").isEmpty();
        assertThat(run.stderr()).isEqualTo("backupctl: Java 21 or newer is needed, but " + javaHome
                + "/bin/java is 17.0.12; set JAVA_HOME to a Java 21 or newer\n");
    }

    @Test
    void refusesAnOldJavaNamedByItsReleaseFileWithoutStartingIt() throws Exception {
        Path javaHome = fakeJava(temp.resolve("jdk11"), "openjdk version \"21.0.4\" 2024-07-16");
        Files.writeString(javaHome.resolve("release"), "IMPLEMENTOR=\"Test\"\nJAVA_VERSION=\"11.0.24\"\n");

        ScriptRun run = launch(Map.of("JAVA_HOME", javaHome.toString()), "--version");

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.stderr()).contains("Java 21 or newer is needed", "is 11.0.24");
    }

    @Test
    void refusesAnOldJavaOnThePath() throws Exception {
        Path javaHome = fakeJava(temp.resolve("jre8"), "java version \"1.8.0_412\"");

        ScriptRun run = launch(Map.of("PATH", javaHome.resolve("bin") + ":" + toolsOnly()), "--version");

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.stderr()).contains("Java 21 or newer is needed", "is 1.8.0_412", "set JAVA_HOME");
    }

    @Test
    void saysSoWhenThereIsNoJava() throws Exception {
        ScriptRun run = launch(Map.of("PATH", toolsOnly().toString()), "--version");

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.stderr())
                .isEqualTo("backupctl: no java found: set JAVA_HOME or put java (21 or newer) on PATH\n");
    }

    @Test
    void saysSoWhenJavaHomeHoldsNoJava() throws Exception {
        Path empty = Files.createDirectories(temp.resolve("not-a-jdk"));

        ScriptRun run = launch(Map.of("JAVA_HOME", empty.toString()), "--version");

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.stderr()).contains("JAVA_HOME is " + empty, "is not an executable");
    }

    /** Runs the launcher through /bin/sh with {@code environment}, and a PATH of the usual tools if none is given. */
    private ScriptRun launch(Map<String, String> environment, String... arguments) throws Exception {
        Map<String, String> env = new HashMap<>(environment);
        env.putIfAbsent("PATH", toolsOnly().toString());
        List<String> command = new ArrayList<>(List.of("/bin/sh", launcher.toString()));
        command.addAll(List.of(arguments));
        return ScriptRun.run(command, env, temp);
    }

    /**
     * A PATH with the tools the launcher uses and no java, whatever /usr/bin holds on this machine
     * (Debian puts a java there).
     */
    private Path toolsOnly() throws IOException {
        Path bin = temp.resolve("tools");
        if (!Files.isDirectory(bin)) {
            Files.createDirectories(bin);
            for (String tool : List.of("dirname", "readlink", "sed", "head", "mkdir", "ls", "mv", "rm")) {
                Path real = List.of(Path.of("/usr/bin", tool), Path.of("/bin", tool)).stream()
                        .filter(Files::isExecutable).findFirst().orElseThrow(() -> new AssertionError("no " + tool));
                Files.copy(real, bin.resolve(tool), StandardCopyOption.COPY_ATTRIBUTES);
            }
        }
        return bin;
    }

    /**
     * A JDK-shaped directory whose {@code bin/java} prints {@code versionLine} for {@code -version}
     * (to stderr, as java does) and otherwise prints its arguments and CELLAR_PG_DIST, one per line.
     */
    private static Path fakeJava(Path javaHome, String versionLine) throws IOException {
        Path java = Files.createDirectories(javaHome.resolve("bin")).resolve("java");
        Files.writeString(java, """
                #!/bin/sh
                if [ "$1" = "-version" ]; then
                    echo '%s' >&2
                    echo 'Fake Runtime Environment' >&2
                    exit 0
                fi
                for arg in "$@"; do
                    echo "$arg"
                done
                echo "CELLAR_PG_DIST=$CELLAR_PG_DIST"
                """.formatted(versionLine));
        Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
        return javaHome;
    }
}
