package dev.cellar.restore.plan;

import dev.cellar.core.TimelineId;
import java.util.Objects;

/**
 * The timeline recovery follows ({@code recovery_target_timeline}). Cellar resolves it to a number
 * when planning and writes that number, so the restored server follows exactly the planned path
 * whatever history files it might find later.
 */
public sealed interface TargetTimeline {

    /** The newest timeline the repository knows, as PostgreSQL's {@code latest} (its default). */
    record Latest() implements TargetTimeline {
    }

    /** The timeline the chosen backup was taken on ({@code current}). */
    record Current() implements TargetTimeline {
    }

    /** This timeline; its history must be in the repository unless it is 1. */
    record Exact(TimelineId timeline) implements TargetTimeline {
        public Exact {
            Objects.requireNonNull(timeline, "timeline");
        }
    }

    /** {@code latest}, {@code current} or a number (decimal, or hexadecimal with a 0x prefix as PostgreSQL accepts). */
    static TargetTimeline parse(String text) {
        Objects.requireNonNull(text, "text");
        String value = text.strip();
        if (value.equalsIgnoreCase("latest")) {
            return new Latest();
        }
        if (value.equalsIgnoreCase("current")) {
            return new Current();
        }
        try {
            long number = value.startsWith("0x") || value.startsWith("0X")
                    ? Long.parseLong(value.substring(2), 16) : Long.parseLong(value);
            return new Exact(TimelineId.of(number));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("target timeline \"" + text + "\" is not latest, current or a number");
        }
    }
}
