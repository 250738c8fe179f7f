package dev.cellar.core;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The {@code .history} file format (timeline.c {@code readTimeLineHistory},
 * {@code writeTimeLineHistory}): one {@code parentTLI<TAB>switchLSN<TAB>reason} line per ancestor,
 * the TLI in decimal, the LSN as {@code %X/%X}; lines that are blank or start with {@code #} (after
 * optional white space) are ignored.
 *
 * <p>Stricter than the server in two places, because Cellar keeps the reason and formats files
 * itself: a data line must be exactly {@code <decimal>\t<LSN>} optionally followed by
 * {@code \t<reason>} (the server's {@code sscanf("%u\t%X/%X")} would also take spaces), and the
 * file must be UTF-8 so the reason round-trips. A missing reason reads as empty.
 */
final class TimelineHistoryFile {

    private TimelineHistoryFile() {
    }

    static TimelineHistory parse(TimelineId timeline, byte[] content) {
        Objects.requireNonNull(timeline, "timeline");
        Objects.requireNonNull(content, "content");
        String fileName = TimelineHistory.fileName(timeline);
        List<TimelineHistory.Entry> entries = new ArrayList<>();
        int previousLine = 0;
        List<String> lines = lines(fileName, content);
        for (int i = 0; i < lines.size(); i++) {
            int lineNumber = i + 1;
            String line = lines.get(i);
            if (isBlankOrComment(line)) {
                continue;
            }
            TimelineHistory.Entry entry = parseLine(fileName, lineNumber, line);
            TimelineHistory.Entry previous = entries.isEmpty() ? null : entries.getLast();
            Optional<String> problem = TimelineHistory.problem(timeline, previous, "line " + previousLine, entry);
            if (problem.isPresent()) {
                throw invalid(fileName, lineNumber, problem.get());
            }
            entries.add(entry);
            previousLine = lineNumber;
        }
        if (entries.isEmpty() && !timeline.equals(TimelineId.INITIAL)) {
            throw new CellarException(ErrorCode.INVALID_VALUE,
                    "invalid history file %s: it has no entries, but every timeline after 1 branches off another"
                            .formatted(fileName));
        }
        return new TimelineHistory(timeline, entries);
    }

    static byte[] format(TimelineHistory history) {
        StringBuilder sb = new StringBuilder();
        for (TimelineHistory.Entry entry : history.entries()) {
            // writeTimeLineHistory: "%s%u\t%X/%X\t%s\n" with "\n" as the first %s whenever a parent
            // file was copied first, which is every entry but the first.
            if (!sb.isEmpty()) {
                sb.append('\n');
            }
            sb.append(entry.parent()).append('\t').append(entry.switchPoint()).append('\t')
                    .append(entry.reason()).append('\n');
        }
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    // Split on the byte '\n' before decoding: 0x0A never occurs inside a UTF-8 sequence, and this
    // way a decoding error can name its line.
    private static List<String> lines(String fileName, byte[] content) {
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        List<String> lines = new ArrayList<>();
        int lineStart = 0;
        for (int i = 0; i <= content.length; i++) {
            if (i == content.length || content[i] == '\n') {
                try {
                    lines.add(decoder.reset().decode(ByteBuffer.wrap(content, lineStart, i - lineStart)).toString());
                } catch (CharacterCodingException e) {
                    throw new CellarException(ErrorCode.INVALID_VALUE,
                            "invalid history file %s, line %d: not valid UTF-8".formatted(fileName, lines.size() + 1),
                            null, e);
                }
                lineStart = i + 1;
            }
        }
        return lines;
    }

    // Same test as readTimeLineHistory: skip leading white space, then '#' or end of line.
    private static boolean isBlankOrComment(String line) {
        String stripped = line.stripLeading();
        return stripped.isEmpty() || stripped.charAt(0) == '#';
    }

    private static TimelineHistory.Entry parseLine(String fileName, int lineNumber, String line) {
        int firstTab = line.indexOf('\t');
        if (firstTab < 0) {
            throw invalid(fileName, lineNumber,
                    "expected \"<parent timeline>\\t<switch LSN>\\t<reason>\", found \"%s\"".formatted(escape(line)));
        }
        int secondTab = line.indexOf('\t', firstTab + 1);
        int lsnEnd = secondTab < 0 ? line.length() : secondTab;
        String reason = secondTab < 0 ? "" : line.substring(secondTab + 1);
        try {
            TimelineId parent = TimelineId.parse(line.substring(0, firstTab));
            Lsn switchPoint = Lsn.parse(line.substring(firstTab + 1, lsnEnd));
            return new TimelineHistory.Entry(parent, switchPoint, reason);
        } catch (CellarException e) {
            throw invalid(fileName, lineNumber, e.getMessage());
        }
    }

    private static CellarException invalid(String fileName, int lineNumber, String problem) {
        return new CellarException(ErrorCode.INVALID_VALUE,
                "invalid history file %s, line %d: %s".formatted(fileName, lineNumber, problem));
    }

    private static String escape(String text) {
        return text.replace("\t", "\\t").replace("\r", "\\r");
    }
}
