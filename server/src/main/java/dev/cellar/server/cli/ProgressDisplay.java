package dev.cellar.server.cli;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Shows a long operation's progress: one line rewritten in place every half second on a terminal,
 * a plain line every ten seconds otherwise (logs, pipes). Started and stopped around the operation.
 */
final class ProgressDisplay implements AutoCloseable {
    /** A snapshot in words: what, how far, how fast, how long left. */
    record Snapshot(String phase, long done, long total, long bytesPerSecond, Duration left) {
    }

    private final ScheduledExecutorService timer;
    private final PrintWriter out;
    private final boolean terminal;
    private final Supplier<Snapshot> source;

    private ProgressDisplay(PrintWriter out, boolean terminal, Supplier<Snapshot> source) {
        this.out = out;
        this.terminal = terminal;
        this.source = source;
        this.timer = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().daemon(true)
                .name("progress").factory());
        long period = terminal ? 500 : 10_000;
        timer.scheduleAtFixedRate(this::show, period, period, TimeUnit.MILLISECONDS);
    }

    static ProgressDisplay start(PrintWriter out, boolean terminal, Supplier<Snapshot> source) {
        return new ProgressDisplay(out, terminal, source);
    }

    /** Whether standard output is a terminal (Linux: fd 1 is a tty or pseudo-terminal). */
    static boolean stdoutIsTerminal() {
        try {
            String target = Files.readSymbolicLink(Path.of("/proc/self/fd/1")).toString();
            return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty");
        } catch (Exception e) {
            return false;
        }
    }

    private void show() {
        Snapshot s = source.get();
        String fraction = s.total() > 0 ? " (%d%%)".formatted(Math.min(100, s.done() * 100 / s.total())) : "";
        String rate = s.bytesPerSecond() > 0 ? Sizes.human(s.bytesPerSecond()) + "/s" : "";
        String left = s.left() == null ? "" : "about " + duration(s.left()) + " left";
        if (terminal) {
            out.print(("\r  %-30s %s of %s%s  %s  %s    ").formatted(s.phase(), Sizes.human(s.done()),
                    Sizes.human(s.total()), fraction, rate, left));
        } else {
            out.println("  %s: %s of %s%s%s%s".formatted(s.phase(), Sizes.human(s.done()), Sizes.human(s.total()),
                    fraction, rate.isEmpty() ? "" : ", " + rate, left.isEmpty() ? "" : ", " + left));
        }
        out.flush();
    }

    static String duration(Duration d) {
        long seconds = d.toSeconds();
        return seconds < 60 ? seconds + " s" : String.format(Locale.ROOT, "%d:%02d min", seconds / 60, seconds % 60);
    }

    @Override
    public void close() {
        timer.shutdownNow();
        if (terminal) {
            out.print("\r" + " ".repeat(100) + "\r");
            out.flush();
        }
    }
}
