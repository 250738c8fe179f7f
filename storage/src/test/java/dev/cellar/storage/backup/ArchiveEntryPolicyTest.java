package dev.cellar.storage.backup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cellar.core.CellarException;
import dev.cellar.core.ErrorCode;
import java.nio.charset.StandardCharsets;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class ArchiveEntryPolicyTest {
    private final ArchiveEntryPolicy base = new ArchiveEntryPolicy("base");

    private static TarHeader file(String name) {
        return TarHeader.of(name, '0', "", 10);
    }

    private static TarHeader dir(String name) {
        return TarHeader.of(name, '5', "", 0);
    }

    private static TarHeader link(String name, String target) {
        return TarHeader.of(name, '2', target, 0);
    }

    private static void assertRejected(ArchiveEntryPolicy policy, TarHeader header, String message) {
        assertThatThrownBy(() -> policy.check(header))
                .isInstanceOfSatisfying(CellarException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.BACKUP_FAILED);
                    assertThat(e.getMessage()).isEqualTo(message);
                    assertThat(e.hint()).isPresent();
                });
    }

    @Test
    void acceptsWhatPostgresSendsAndNormalisesTrailingSlashes() {
        assertThat(base.check(file("backup_label")))
                .isEqualTo(new ArchiveEntryPolicy.Accepted("backup_label", EntryType.FILE, null));
        assertThat(base.check(dir("base/"))).isEqualTo(new ArchiveEntryPolicy.Accepted("base", EntryType.DIRECTORY, null));
        assertThat(base.check(dir("base/1/"))).isEqualTo(new ArchiveEntryPolicy.Accepted("base/1", EntryType.DIRECTORY, null));
        assertThat(base.check(file("base/1/1259")).path()).isEqualTo("base/1/1259");
        assertThat(base.check(dir("pg_wal")).path()).isEqualTo("pg_wal"); // no trailing slash is fine too
        assertThat(base.check(dir("pg_tblspc/"))).extracting(ArchiveEntryPolicy.Accepted::type).isEqualTo(EntryType.DIRECTORY);
        assertThat(base.check(link("pg_tblspc/16390/", "/srv/pg/ts one")))
                .isEqualTo(new ArchiveEntryPolicy.Accepted("pg_tblspc/16390", EntryType.SYMLINK, "/srv/pg/ts one"));
        assertThat(base.check(link("pg_tblspc/16391", "../relative")).target()).isEqualTo("../relative");
        assertThat(base.check(file("global/pg_control")).path()).isEqualTo("global/pg_control");
        assertThat(base.check(file("café/notes-é.txt")).path()).isEqualTo("café/notes-é.txt");
        assertThat(base.check(TarHeader.of("old-style", '\0', "", 3)).type()).isEqualTo(EntryType.FILE);
    }

    @Test
    void toleratesOneLeadingDotSlash() {
        assertThat(base.check(file("./backup_label")).path()).isEqualTo("backup_label");
        assertThat(base.check(dir("./global/")).path()).isEqualTo("global");
        assertRejected(base, file("./backup_label"), "archive base, entry \"./backup_label\": the archive holds this path twice");
        assertRejected(base, dir("./"), "archive base, entry \"./\": its name has an empty or '.' component");
        assertRejected(base, file("././x"), "archive base, entry \"././x\": its name has an empty or '.' component");
    }

    @Test
    void tablespaceArchivesHoldTheVersionDirectory() {
        ArchiveEntryPolicy tablespace = new ArchiveEntryPolicy("16390");
        assertThat(tablespace.check(dir("PG_16_202307071/")).path()).isEqualTo("PG_16_202307071");
        assertThat(tablespace.check(file("PG_16_202307071/16384/16385")).path()).isEqualTo("PG_16_202307071/16384/16385");
        assertRejected(tablespace, link("pg_tblspc/1", "/x"), "archive 16390, entry \"pg_tblspc/1\": symbolic links are"
                + " accepted only as pg_tblspc/<tablespace OID> in the base archive");
    }

    static Stream<Arguments> hostileNames() {
        return Stream.of(
                Arguments.of("/etc/passwd", "its name is absolute"),
                Arguments.of("//etc/passwd", "its name is absolute"),
                Arguments.of("../etc/passwd", "its name has a '..' component"),
                Arguments.of("base/../../etc/passwd", "its name has a '..' component"),
                Arguments.of("base/..", "its name has a '..' component"),
                Arguments.of("./../x", "its name has a '..' component"),
                Arguments.of("base//x", "its name has an empty or '.' component"),
                Arguments.of("base/./x", "its name has an empty or '.' component"),
                Arguments.of(".", "its name has an empty or '.' component"),
                Arguments.of("", "its name is empty"),
                Arguments.of("base/x/", "a file's name must not end with '/'"));
    }

    @ParameterizedTest
    @MethodSource("hostileNames")
    void refusesNamesThatLeaveTheTargetOrAreAmbiguous(String name, String reason) {
        assertRejected(base, file(name), "archive base, entry \"" + name + "\": " + reason);
    }

    @Test
    void refusesCharactersThatNoPostgresNameHas() {
        assertRejected(base, file("a\0b"), "archive base, entry \"a\\x00b\": its name contains a NUL character");
        assertRejected(base, file("a\nb"), "archive base, entry \"a\\x0ab\": its name contains the control character U+000A");
        assertRejected(base, file("a\u007fb"), "archive base, entry \"a\\x7fb\": its name contains the control character U+007F");
        assertRejected(base, file("base\\1"), "archive base, entry \"base\\1\": its name contains a backslash");
        byte[] latin1 = "caf\u00e9".getBytes(StandardCharsets.ISO_8859_1);
        assertRejected(base, new TarHeader(latin1, (byte) '0', new byte[0], 1, false),
                "archive base, entry \"caf\\xe9\": its name is not valid UTF-8");
    }

    @Test
    void namesUserFilesWithAHintToRenameThem() {
        assertThatThrownBy(() -> base.check(file("base\\1")))
                .isInstanceOfSatisfying(CellarException.class, e -> assertThat(e.hint()).contains(ArchiveEntryPolicy.NAME_HINT));
        assertThatThrownBy(() -> base.check(file("../x")))
                .isInstanceOfSatisfying(CellarException.class,
                        e -> assertThat(e.hint()).contains(ArchiveEntryPolicy.HOSTILE_HINT));
    }

    @Test
    void limitsLengths() {
        String component = "x".repeat(255);
        assertThat(base.check(file("a/" + component)).path()).endsWith(component);
        assertRejected(base, file("b/" + "y".repeat(256)),
                "archive base, entry \"b/" + "y".repeat(198) + "…\": a component of its name is 256 bytes long, more than 255");
        String long1024 = ("d".repeat(200) + "/").repeat(5) + "f".repeat(19); // 1024 bytes
        assertThat(long1024).hasSize(1024);
        assertThat(base.check(file(long1024)).path()).isEqualTo(long1024);
        assertThatThrownBy(() -> base.check(file(long1024 + "g")))
                .hasMessageEndingWith("its name is 1025 bytes long, more than 1024");
        assertThatThrownBy(() -> base.check(link("pg_tblspc/7", "/" + "t".repeat(1024))))
                .hasMessageEndingWith("its link target is 1025 bytes long, more than 1024");
    }

    @Test
    void refusesEveryTypeButFilesDirectoriesAndLinks() {
        assertRejected(base, TarHeader.of("hard", '1', "etc/passwd", 0),
                "archive base, entry \"hard\": hard links are not accepted (it links to \"etc/passwd\")");
        assertRejected(base, TarHeader.of("tty", '3', "", 0),
                "archive base, entry \"tty\": it is a character device; special files are not accepted");
        assertRejected(base, TarHeader.of("sda", '4', "", 0),
                "archive base, entry \"sda\": it is a block device; special files are not accepted");
        assertRejected(base, TarHeader.of("pipe", '6', "", 0),
                "archive base, entry \"pipe\": it is a FIFO; special files are not accepted");
        assertRejected(base, TarHeader.of("vol", 'V', "", 0),
                "archive base, entry \"vol\": its tar entry type 'V' is not accepted (only files, directories and"
                        + " symbolic links are)");
        assertRejected(base, TarHeader.of("odd", (char) 1, "", 0),
                "archive base, entry \"odd\": its tar entry type 0x01 is not accepted (only files, directories and"
                        + " symbolic links are)");
        assertRejected(base, TarHeader.of("pax", 'x', "", 0),
                "archive base, entry \"pax\": it is an extended header ('x') without the entry it describes");
        assertRejected(base, new TarHeader("holes".getBytes(StandardCharsets.UTF_8), (byte) '0', new byte[0], 10, true),
                "archive base, entry \"holes\": sparse files are not accepted");
    }

    @Test
    void directoriesAndLinksCarryNoData() {
        assertRejected(base, TarHeader.of("d/", '5', "", 512),
                "archive base, entry \"d/\": a directory entry must not carry data, this one has 512 bytes");
        assertRejected(base, TarHeader.of("pg_tblspc/5/", '2', "/x", 1),
                "archive base, entry \"pg_tblspc/5/\": a symbolic link entry must not carry data, this one has 1 bytes");
    }

    @ParameterizedTest
    @ValueSource(strings = {"pg_wal", "base/1/link", "pg_tblspc", "pg_tblspc/16390/x", "pg_tblspc/abc", "x/pg_tblspc/1"})
    void acceptsLinksOnlyAsTablespaces(String name) {
        assertRejected(base, link(name, "/srv/x"), "archive base, entry \"" + name
                + "\": symbolic links are accepted only as pg_tblspc/<tablespace OID> in the base archive");
    }

    @Test
    void checksLinkTargets() {
        assertRejected(base, link("pg_tblspc/1", ""), "archive base, entry \"pg_tblspc/1\": its link target is empty");
        assertRejected(base, link("pg_tblspc/1", "/a\nb"),
                "archive base, entry \"pg_tblspc/1\": its link target contains the control character U+000A");
        assertRejected(base, new TarHeader("pg_tblspc/1".getBytes(StandardCharsets.UTF_8), (byte) '2',
                new byte[] {'/', (byte) 0xff}, 0, false),
                "archive base, entry \"pg_tblspc/1\": its link target is not valid UTF-8");
    }

    @Test
    void refusesDuplicatesAndEntriesBelowLinksOrFiles() {
        base.check(dir("pg_tblspc/"));
        base.check(link("pg_tblspc/16390/", "/srv/ts"));
        assertRejected(base, dir("pg_tblspc/16390/PG_16_202307071/"), "archive base, entry \"pg_tblspc/16390/PG_16_202307071/\":"
                + " it lies below the symbolic link \"pg_tblspc/16390\", which appeared earlier");
        assertRejected(base, file("pg_tblspc/16390/PG_16_202307071/1/2"), "archive base, entry"
                + " \"pg_tblspc/16390/PG_16_202307071/1/2\": it lies below the symbolic link \"pg_tblspc/16390\","
                + " which appeared earlier");
        assertRejected(base, dir("pg_tblspc/16390/"),
                "archive base, entry \"pg_tblspc/16390/\": the archive holds this path twice");

        base.check(file("global/pg_control"));
        assertRejected(base, file("global/pg_control"),
                "archive base, entry \"global/pg_control\": the archive holds this path twice");
        assertRejected(base, file("global/pg_control/x"),
                "archive base, entry \"global/pg_control/x\": it lies below \"global/pg_control\", which is a file");
        // "global" was only implied by global/pg_control: a directory entry for it is fine, once.
        assertThat(base.check(dir("global/")).path()).isEqualTo("global");
        assertRejected(base, dir("global/"), "archive base, entry \"global/\": the archive holds this path twice");
    }

    @Test
    void refusesFilesOrLinksWhereEarlierEntriesImpliedADirectory() {
        base.check(file("base/1/1259"));
        assertRejected(base, file("base/1"), "archive base, entry \"base/1\": it is a file but earlier entries lie below it");
        assertRejected(base, file("base"), "archive base, entry \"base\": it is a file but earlier entries lie below it");
        ArchiveEntryPolicy other = new ArchiveEntryPolicy("base");
        other.check(file("pg_tblspc/7/x"));
        assertRejected(other, link("pg_tblspc/7", "/srv"),
                "archive base, entry \"pg_tblspc/7\": it is a symbolic link but earlier entries lie below it");
    }

    @Test
    void aRefusedEntryIsNotRemembered() {
        assertThatThrownBy(() -> base.check(TarHeader.of("x", '3', "", 0))).isInstanceOf(CellarException.class);
        assertThat(base.check(file("x")).path()).isEqualTo("x");
    }

    @Test
    void archiveNamesAreBaseOrTablespaceOids() {
        assertThat(ArchiveEntryPolicy.checkArchiveName("base")).isEqualTo("base");
        assertThat(ArchiveEntryPolicy.checkArchiveName("16390")).isEqualTo("16390");
        assertThat(ArchiveEntryPolicy.checkArchiveName("4294967295")).isEqualTo("4294967295");
        for (String bad : new String[] {"base.tar", "16390.tar", "0", "016390", "4294967296", "../x", "", "Base"}) {
            assertThatThrownBy(() -> ArchiveEntryPolicy.checkArchiveName(bad))
                    .isInstanceOfSatisfying(CellarException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_VALUE))
                    .hasMessage("invalid archive name '" + bad + "': expected 'base' or a tablespace OID (the name"
                            + " PostgreSQL sends, without '.tar')");
        }
    }

    @Test
    void messagesEscapeWhatATerminalWouldInterpret() {
        assertThat(ArchiveEntryPolicy.printable(new byte[] {'a', 0x1b, '[', '2', 'J', (byte) 0xc3, (byte) 0xa9, (byte) 0xff}))
                .isEqualTo("a\\x1b[2Jé\\xff");
    }
}
