package dev.cellar.catalog;

import dev.cellar.core.Lsn;
import java.util.List;
import java.util.Objects;

/**
 * Which archived WAL files replay {@code [from, to)} along a timeline path, and which stretches of
 * that range no file holds.
 *
 * <p>Immutable and thread-safe. No component is {@code null}.
 *
 * @param from     the first position needed
 * @param to       the exclusive end of what is needed
 * @param segments the files to read, in replay order; a partial file appears when it holds some of
 *                 what is needed; copied
 * @param gaps     the missing stretches, in LSN order, each on the timeline whose file should have
 *                 held it; adjacent missing stretches of one timeline are merged; copied
 */
public record WalCoverage(Lsn from, Lsn to, List<WalSegmentRow> segments, List<LsnRange> gaps) {
    public WalCoverage {
        Objects.requireNonNull(from, "from");
        Objects.requireNonNull(to, "to");
        segments = List.copyOf(segments);
        gaps = List.copyOf(gaps);
    }

    /** Whether every position in {@code [from, to)} is held by a file. */
    public boolean isComplete() {
        return gaps.isEmpty();
    }
}
