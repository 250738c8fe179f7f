package dev.cellar.walreceiver.segment;

import dev.cellar.core.WalFileKind;
import dev.cellar.core.WalFileNames;
import dev.cellar.core.WalSegmentName;
import dev.cellar.core.WalSegmentSize;
import java.nio.file.Path;
import java.util.Optional;

/**
 * A file in a cluster's spool directory and its state, told by its suffix:
 * <ul>
 *   <li>{@code <segment>.receiving}: being written; sparse, full segment size, zeros past what was
 *       received. After a crash streaming resumes at the start of this segment and overwrites it.
 *   <li>{@code <segment>.complete}: every byte received and fsynced; to be validated and published.
 *   <li>{@code <segment>.timeline-end}: the valid prefix of the segment in which a timeline ended,
 *       truncated to its exact length and fsynced; to be published as a {@code .partial} object.
 * </ul>
 * A file moves from one state to the next by an atomic rename followed by a directory fsync.
 */
record SpoolFile(Path path, WalSegmentName segment, State state) {
    enum State {
        RECEIVING(".receiving"), COMPLETE(".complete"), TIMELINE_END(".timeline-end");

        final String suffix;

        State(String suffix) {
            this.suffix = suffix;
        }
    }

    static Path pathOf(Path spool, WalSegmentName segment, State state) {
        return spool.resolve(segment.fileName() + state.suffix);
    }

    static Optional<SpoolFile> parse(Path file, WalSegmentSize size) {
        String name = file.getFileName().toString();
        for (State state : State.values()) {
            if (name.endsWith(state.suffix)) {
                String base = name.substring(0, name.length() - state.suffix.length());
                return WalFileNames.tryParse(base, size)
                        .filter(kind -> kind instanceof WalFileKind.Segment)
                        .map(kind -> new SpoolFile(file, WalSegmentName.parse(base, size), state));
            }
        }
        return Optional.empty();
    }
}
