package dev.cellar.core;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;

class TimelineHistoryTest {

    /** Timeline 3's file as the server writes it: timeline 2's file copied, then "\n" and one line. */
    private static final String TIMELINE_3 =
            "1\t0/3000000\tno recovery target specified\n\n2\t0/5000000\tbefore 2000-01-01 05:00:00+00\n";

    private static final TimelineId TLI1 = TimelineId.of(1);
    private static final TimelineId TLI2 = TimelineId.of(2);
    private static final TimelineId TLI3 = TimelineId.of(3);

    private static TimelineHistory parse(long timeline, String content) {
        return TimelineHistory.parse(TimelineId.of(timeline), content.getBytes(UTF_8));
    }

    @Test
    void parsesTheHistoryOfTimeline3() {
        TimelineHistory history = parse(3, TIMELINE_3);

        assertThat(history.timeline()).isEqualTo(TLI3);
        assertThat(history.entries()).containsExactly(
                new TimelineHistory.Entry(TLI1, Lsn.parse("0/3000000"), "no recovery target specified"),
                new TimelineHistory.Entry(TLI2, Lsn.parse("0/5000000"), "before 2000-01-01 05:00:00+00"));
        assertThat(history.fileName()).isEqualTo("00000003.history");
    }

    @Test
    void formatsExactlyTheBytesTheServerWrites() {
        TimelineHistory history = parse(3, TIMELINE_3);
        assertThat(new String(history.format(), UTF_8)).isEqualTo(TIMELINE_3);
        assertThat(TimelineHistory.parse(TLI3, history.format())).isEqualTo(history);
    }

    @Test
    void branchingAppendsOneEntryAsThePromotionDoes() {
        TimelineHistory two = TimelineHistory.initial().branch(TLI2, Lsn.parse("0/3000000"), "no recovery target specified");
        TimelineHistory three = two.branch(TLI3, Lsn.parse("0/5000000"), "before 2000-01-01 05:00:00+00");

        assertThat(new String(two.format(), UTF_8)).isEqualTo("1\t0/3000000\tno recovery target specified\n");
        assertThat(new String(three.format(), UTF_8)).isEqualTo(TIMELINE_3);
        assertThat(three).isEqualTo(parse(3, TIMELINE_3));
    }

    @Test
    void timelineOfFollowsTheSwitchPoints() {
        TimelineHistory history = parse(3, TIMELINE_3);
        assertThat(history.timelineOf(Lsn.ZERO)).isEqualTo(TLI1);
        assertThat(history.timelineOf(Lsn.parse("0/2FFFFFF"))).isEqualTo(TLI1);
        assertThat(history.timelineOf(Lsn.parse("0/3000000"))).isEqualTo(TLI2);
        assertThat(history.timelineOf(Lsn.parse("0/4FFFFFF"))).isEqualTo(TLI2);
        assertThat(history.timelineOf(Lsn.parse("0/5000000"))).isEqualTo(TLI3);
        assertThat(history.timelineOf(Lsn.of(-1L))).isEqualTo(TLI3);
        assertThat(TimelineHistory.initial().timelineOf(Lsn.parse("16/B374D848"))).isEqualTo(TLI1);
    }

    @Test
    void switchPointOfNamesWhereEachAncestorEnded() {
        TimelineHistory history = parse(3, TIMELINE_3);
        assertThat(history.switchPointOf(TLI1)).contains(Lsn.parse("0/3000000"));
        assertThat(history.switchPointOf(TLI2)).contains(Lsn.parse("0/5000000"));
        assertThat(history.switchPointOf(TLI3)).isEmpty();
        assertThatThrownBy(() -> history.switchPointOf(TimelineId.of(4)))
                .isInstanceOf(CellarException.class)
                .hasMessage("timeline 4 is not on the path to timeline 3 (1 until 0/3000000, 2 until 0/5000000, 3)");
    }

    @Test
    void pathListsTheStretchesToRead() {
        assertThat(parse(3, TIMELINE_3).path()).containsExactly(
                new TimelineHistory.Span(TLI1, Lsn.ZERO, Optional.of(Lsn.parse("0/3000000"))),
                new TimelineHistory.Span(TLI2, Lsn.parse("0/3000000"), Optional.of(Lsn.parse("0/5000000"))),
                new TimelineHistory.Span(TLI3, Lsn.parse("0/5000000"), Optional.empty()));
        assertThat(TimelineHistory.initial().path())
                .containsExactly(new TimelineHistory.Span(TLI1, Lsn.ZERO, Optional.empty()));

        TimelineHistory.Span middle = parse(3, TIMELINE_3).path().get(1);
        assertThat(middle.contains(Lsn.parse("0/3000000"))).isTrue();
        assertThat(middle.contains(Lsn.parse("0/5000000"))).isFalse();
    }

    @Test
    void containsTheTimelineAndItsAncestorsOnly() {
        TimelineHistory history = parse(5, "1\t0/3000000\tx\n\n3\t0/5000000\ty\n");
        assertThat(history.contains(TLI1)).isTrue();
        assertThat(history.contains(TLI3)).isTrue();
        assertThat(history.contains(TimelineId.of(5))).isTrue();
        assertThat(history.contains(TLI2)).isFalse(); // a sibling branch, not on this path
        assertThat(history.contains(TimelineId.of(4))).isFalse();
    }

    @Test
    void timeline1HasNoHistoryFile() {
        TimelineHistory initial = TimelineHistory.initial();
        assertThat(initial.timeline()).isEqualTo(TLI1);
        assertThat(initial.entries()).isEmpty();
        assertThat(initial.format()).isEmpty();
        assertThat(initial.switchPointOf(TLI1)).isEmpty();
        assertThat(TimelineHistory.parse(TLI1, new byte[0])).isEqualTo(initial);
    }

    @Test
    void ignoresCommentsBlankLinesAndAMissingFinalNewline() {
        TimelineHistory history = parse(3, "# written by hand\n\n  \t\n1\t0/3000000\tx\n   # indented comment\n2\t0/5000000\t");
        assertThat(history.entries()).extracting(TimelineHistory.Entry::reason).containsExactly("x", "");
    }

    @Test
    void keepsReasonsWithSpacesTabsAndNonAsciiText() {
        TimelineHistory history = parse(2, "1\t0/3000060\tat restore point \"vor Änderung\"\twith tab\n");
        assertThat(history.entries().getFirst().reason()).isEqualTo("at restore point \"vor Änderung\"\twith tab");
        assertThat(new String(history.format(), UTF_8)).isEqualTo("1\t0/3000060\tat restore point \"vor Änderung\"\twith tab\n");
    }

    @Test
    void aMissingReasonReadsAsEmpty() {
        TimelineHistory history = parse(2, "1\t0/3000060\n");
        assertThat(history.entries().getFirst().reason()).isEmpty();
        assertThat(new String(history.format(), UTF_8)).isEqualTo("1\t0/3000060\t\n");
    }

    @Test
    void acceptsEqualSwitchPoints() {
        TimelineHistory history = parse(3, "1\t0/3000000\ta\n\n2\t0/3000000\tb\n");
        assertThat(history.timelineOf(Lsn.parse("0/2FFFFFF"))).isEqualTo(TLI1);
        assertThat(history.timelineOf(Lsn.parse("0/3000000"))).isEqualTo(TLI3);
    }

    @Test
    void errorsNameTheFileAndLine() {
        assertParseError(3, "1\t0/3000000\tx\n\n2 0/5000000 y\n",
                "invalid history file 00000003.history, line 3: expected \"<parent timeline>\\t<switch LSN>\\t<reason>\", found \"2 0/5000000 y\"");
        assertParseError(3, "1\t0/3000000\tx\nx\t0/5000000\ty\n",
                "invalid history file 00000003.history, line 2: invalid timeline ID \"x\": expected a decimal number from 1 to 4294967295");
        assertParseError(3, "1 \t0/3000000\tx\n",
                "invalid history file 00000003.history, line 1: invalid timeline ID \"1 \": expected a decimal number from 1 to 4294967295");
        assertParseError(3, "1\t0/3000000\tx\n2\t5000000\ty\n",
                "invalid history file 00000003.history, line 2: invalid LSN \"5000000\": expected two hexadecimal numbers of 1 to 8 digits separated by '/', such as 16/B374D848");
        assertParseError(3, "0\t0/3000000\tx\n",
                "invalid history file 00000003.history, line 1: invalid timeline ID \"0\": expected a decimal number from 1 to 4294967295");
        assertParseError(3, "1\t0/3000000\tx\n\t0/5000000\ty\n",
                "invalid history file 00000003.history, line 2: invalid timeline ID \"\": expected a decimal number from 1 to 4294967295");
        assertParseError(3, "1\t0/3000000\tx\n2\r\n",
                "invalid history file 00000003.history, line 2: expected \"<parent timeline>\\t<switch LSN>\\t<reason>\", found \"2\\r\"");
    }

    @Test
    void errorsForBrokenRules() {
        assertParseError(3, "2\t0/3000000\tx\n\n1\t0/5000000\ty\n",
                "invalid history file 00000003.history, line 3: parent timeline 1 must be greater than 2, the parent on line 1");
        assertParseError(3, "1\t0/3000000\tx\n1\t0/5000000\ty\n",
                "invalid history file 00000003.history, line 2: parent timeline 1 must be greater than 1, the parent on line 1");
        assertParseError(3, "1\t0/3000000\tx\n\n3\t0/5000000\ty\n",
                "invalid history file 00000003.history, line 3: parent timeline 3 must be less than 3, the timeline this history leads to");
        assertParseError(2, "1\t0/5000000\tx\n\n# later\n5\t0/6000000\ty\n",
                "invalid history file 00000002.history, line 4: parent timeline 5 must be less than 2, the timeline this history leads to");
        assertParseError(4, "1\t0/5000000\tx\n\n2\t0/4FFFFFF\ty\n",
                "invalid history file 00000004.history, line 3: switch point 0/4FFFFFF is before 0/5000000, the switch point on line 1");
        assertParseError(3, "# only a comment\n\n",
                "invalid history file 00000003.history: it has no entries, but every timeline after 1 branches off another");
        assertParseError(1, "1\t0/3000000\tx\n",
                "invalid history file 00000001.history, line 1: parent timeline 1 must be less than 1, the timeline this history leads to");
    }

    @Test
    void refusesBytesThatAreNotUtf8() {
        byte[] content = "1\t0/3000000\tx\n\n2\t0/5000000\t?\n".getBytes(UTF_8);
        content[content.length - 2] = (byte) 0xC4; // Latin-1 'Ä'
        assertThatThrownBy(() -> TimelineHistory.parse(TLI3, content))
                .isInstanceOfSatisfying(CellarException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_VALUE))
                .hasMessage("invalid history file 00000003.history, line 3: not valid UTF-8");
    }

    @Test
    void constructorEnforcesTheSameRules() {
        TimelineHistory.Entry one = new TimelineHistory.Entry(TLI1, Lsn.parse("0/5000000"), "");
        TimelineHistory.Entry two = new TimelineHistory.Entry(TLI2, Lsn.parse("0/4000000"), "");
        assertThatThrownBy(() -> new TimelineHistory(TLI3, List.of(one, two)))
                .isInstanceOf(CellarException.class)
                .hasMessage("invalid history of timeline 3, entry 2: switch point 0/4000000 is before 0/5000000, the switch point on entry 1");
        assertThatThrownBy(() -> new TimelineHistory(TLI2, List.of()))
                .isInstanceOf(CellarException.class)
                .hasMessage("invalid history of timeline 2: it has no entries, but every timeline after 1 branches off another");
        assertThatThrownBy(() -> TimelineHistory.initial().branch(TLI1, Lsn.ZERO, ""))
                .isInstanceOf(CellarException.class)
                .hasMessage("invalid history of timeline 1, entry 1: parent timeline 1 must be less than 1, the timeline this history leads to");
        assertThatThrownBy(() -> new TimelineHistory.Entry(TLI1, Lsn.ZERO, "two\nlines"))
                .isInstanceOf(CellarException.class)
                .hasMessage("invalid timeline history reason \"two\\nlines\": it must not contain a line break");
    }

    @Test
    void entriesAreCopied() {
        List<TimelineHistory.Entry> entries = new ArrayList<>(List.of(new TimelineHistory.Entry(TLI1, Lsn.ZERO, "")));
        TimelineHistory history = new TimelineHistory(TLI2, entries);
        entries.clear();
        assertThat(history.entries()).hasSize(1);
        assertThatThrownBy(() -> history.entries().clear()).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void formatThenParseRoundTripsRandomHistories() {
        Random random = new Random(42L);
        for (int i = 0; i < 2_000; i++) {
            TimelineHistory history = TimelineHistory.initial();
            long timeline = 1;
            long lsn = 0;
            int branches = 1 + random.nextInt(8);
            for (int b = 0; b < branches; b++) {
                timeline += 1 + random.nextInt(3);
                lsn += random.nextInt(4) == 0 ? 0 : 1 + (random.nextLong() & 0xF_FFFF_FFFFL);
                String reason = random.nextBoolean() ? "before transaction " + random.nextInt(1_000_000) : "";
                history = history.branch(TimelineId.of(timeline), Lsn.of(lsn), reason);
            }
            assertThat(TimelineHistory.parse(history.timeline(), history.format())).isEqualTo(history);
        }
    }

    private static void assertParseError(long timeline, String content, String message) {
        assertThatThrownBy(() -> parse(timeline, content))
                .isInstanceOfSatisfying(CellarException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_VALUE))
                .hasMessage(message);
    }
}
