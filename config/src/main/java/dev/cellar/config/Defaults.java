package dev.cellar.config;

import java.util.Objects;

/** Settings every cluster gets unless its own block overrides a key ({@code defaults:}). */
public record Defaults(Compression compression, Schedule schedule, Retention retention) {
    public Defaults {
        Objects.requireNonNull(compression, "compression");
        Objects.requireNonNull(schedule, "schedule");
        Objects.requireNonNull(retention, "retention");
    }
}
