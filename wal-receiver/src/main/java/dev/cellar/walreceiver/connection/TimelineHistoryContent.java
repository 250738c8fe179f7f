package dev.cellar.walreceiver.connection;

import dev.cellar.core.TimelineHistory;
import dev.cellar.core.TimelineId;
import java.util.Arrays;
import java.util.Objects;

/**
 * The answer to TIMELINE_HISTORY: a history file exactly as the server has it. Immutable and
 * thread-safe (the content is copied in and out).
 *
 * @param timeline the timeline asked for
 * @param fileName such as {@code 00000002.history}
 * @param content  the file's bytes, unconverted
 */
public record TimelineHistoryContent(TimelineId timeline, String fileName, byte[] content) {
    public TimelineHistoryContent {
        Objects.requireNonNull(timeline, "timeline");
        Objects.requireNonNull(fileName, "fileName");
        content = content.clone();
    }

    @Override
    public byte[] content() {
        return content.clone();
    }

    /**
     * The parsed history.
     *
     * @throws dev.cellar.core.CellarException {@code INVALID_VALUE} if the content is not a valid history file
     */
    public TimelineHistory parse() {
        return TimelineHistory.parse(timeline, content);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TimelineHistoryContent other && other.timeline.equals(timeline)
                && other.fileName.equals(fileName) && Arrays.equals(other.content, content);
    }

    @Override
    public int hashCode() {
        return Objects.hash(timeline, fileName, Arrays.hashCode(content));
    }

    @Override
    public String toString() {
        return "TimelineHistoryContent[" + fileName + ", " + content.length + " bytes]";
    }
}
