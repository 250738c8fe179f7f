package dev.cellar.config;

import java.util.Objects;
import java.util.Optional;

/**
 * When a cluster's jobs run, as Quartz cron expressions ({@code seconds minutes hours day-of-month
 * month day-of-week [year]}, e.g. {@code 0 0 3 ? * SUN}). An empty value means the job is not
 * scheduled. The loader has checked each expression with Quartz.
 */
public record Schedule(Optional<String> full, Optional<String> incremental, Optional<String> verify) {
    public static final Schedule OFF = new Schedule(Optional.empty(), Optional.empty(), Optional.empty());

    public Schedule {
        Objects.requireNonNull(full, "full");
        Objects.requireNonNull(incremental, "incremental");
        Objects.requireNonNull(verify, "verify");
    }
}
