package dev.cellar.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cellar.core.Lsn;
import dev.cellar.testkit.PgMajors;
import dev.cellar.testkit.PgServer;
import dev.cellar.testkit.PostgresKit;
import dev.cellar.testkit.TestCredentials;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.ToDoubleFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What {@code backupctl serve} costs while it streams WAL from many clusters, for
 * {@code bench/many-clusters.sh}: N real PostgreSQL servers from the test kit (majors spread over
 * {@link PgMajors#selected()}), one configuration naming all of them with every schedule off, the
 * server as a child JVM with a fixed {@code -Xmx}, a light write load on every cluster, and the
 * server's heap, threads, RSS, CPU and per-cluster WAL lag sampled from {@code /metrics} and
 * {@code /proc} at a fixed interval. Optionally a second phase asks the API for one full backup
 * of every cluster (at most {@code server.max_concurrent_backups} run at once), to show the peak.
 * Afterwards every cluster switches WAL once more, and the run checks through the API that the
 * archived WAL reached that switch and that no gap was recorded. Tables go to stdout, progress to
 * stderr; the exit status is 1 when a check failed. Every server and the daemon are stopped at exit.
 */
public final class ManyClustersBench {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final double MIB = 1024.0 * 1024.0;
    private static final String USAGE = """
            usage: ManyClustersBench --work DIR --daemon-classpath CP [--clusters 20] [--minutes 5]
                     [--xmx 512m] [--no-nmt] [--no-backups] [--sample-seconds 10] [--backup-sample-seconds 2]
                     [--insert-ms 200] [--switch-seconds 60] [--daemon-java-option OPT]...""";

    private final Options options;
    private final PostgresKit kit = PostgresKit.perClass();
    private final List<Cluster> clusters = new ArrayList<>();
    private final List<Long> postmasters = new CopyOnWriteArrayList<>();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final AtomicBoolean cleanedUp = new AtomicBoolean();
    private final long clockTicks = clockTicks();
    private final List<String> failures = new ArrayList<>();
    private volatile Process daemon;
    private Path config;
    private Path daemonLog;
    private String token;
    private String base;

    private ManyClustersBench(Options options) {
        this.options = options;
    }

    public static void main(String[] args) {
        Options options;
        try {
            options = Options.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("ManyClustersBench: " + e.getMessage() + "\n" + USAGE);
            System.exit(2);
            return;
        }
        ManyClustersBench bench = new ManyClustersBench(options);
        // SIGTERM/SIGINT of this JVM (the script's trap) must still stop the daemon and every server.
        Runtime.getRuntime().addShutdownHook(Thread.ofPlatform().name("many-clusters-cleanup").unstarted(bench::cleanUp));
        int status;
        try {
            status = bench.run();
        } catch (Exception | Error e) {
            org.slf4j.LoggerFactory.getLogger(ManyClustersBench.class).error("the benchmark failed", e);
            bench.printDaemonLogTail();
            status = 1;
        } finally {
            bench.cleanUp();
        }
        System.exit(status);
    }

    private int run() throws Exception {
        Files.createDirectories(options.work());
        String loadBefore = loadAverage();
        List<Integer> majors = PgMajors.selected();
        out("many-clusters: %d clusters over PostgreSQL %s, %d min of load (one INSERT every %d ms and "
                + "pg_switch_wal() every %d s per cluster), samples every %d s; %s",
                options.clusters(), majors, options.minutes(), options.insertEvery().toMillis(),
                options.switchEvery().toSeconds(), options.sampleEvery().toSeconds(),
                options.backups() ? "then one full backup of every cluster through the API" : "no backup phase");
        out("machine: %d processors, %s; load average before: %s", Runtime.getRuntime().availableProcessors(),
                memTotal(), loadBefore);

        startServers(majors);
        writeConfig();
        startDaemon();
        Instant daemonStarted = Instant.now();
        Sample atStreaming = awaitStreaming();
        out("start-up: all %d streams streaming %.1f s after the daemon was started; daemon CPU so far %.2f s, "
                + "heap used %.1f MiB, %d JVM threads, RSS %.1f MiB", options.clusters(),
                Duration.between(daemonStarted, Instant.now()).toMillis() / 1000.0, atStreaming.cpuSeconds(),
                atStreaming.heapUsed() / MIB, atStreaming.jvmThreads(), atStreaming.rss() / MIB);

        long streamingSamples = options.minutes() * 60L / options.sampleEvery().toSeconds();
        Phase streaming = phase("streaming", options.sampleEvery(), streamingSamples, () -> {
            for (Cluster c : clusters) {
                c.load().start();
            }
        }, () -> false, k -> { });
        String threadsStreaming = threadGroups();
        String nmtStreaming = options.nmt() ? nativeMemory() : null;
        long liveAfterStreaming = liveHeapAfterFullGc();

        Phase backups = null;
        BackupOutcome backupOutcome = null;
        String threadsBackups = null;
        String nmtBackups = null;
        if (options.backups()) {
            AtomicReference<BackupRound> round = new AtomicReference<>();
            AtomicReference<String> threadsDuring = new AtomicReference<>();
            long maxSamples = Duration.ofMinutes(20).toNanos() / options.backupSampleEvery().toNanos();
            backups = phase("backups", options.backupSampleEvery(), maxSamples, () -> round.set(startBackups()),
                    () -> round.get().finished(), k -> {
                        // Once two backups have had time to open their pipelines.
                        if (k == 2) {
                            threadsDuring.set(threadGroups());
                        }
                    });
            threadsBackups = threadsDuring.get();
            nmtBackups = options.nmt() ? nativeMemory() : null;
            backupOutcome = round.get().outcome();
        }

        List<LoadResult> loads = new ArrayList<>();
        for (Cluster c : clusters) {
            loads.add(c.load().stop());
        }
        WalCheck wal = verifyWal();
        long liveAtEnd = liveHeapAfterFullGc();
        String loadAfter = loadAverage();

        out("");
        printTables(streaming, backups, loads);
        out("");
        out("live heap after a full GC (jcmd GC.run): %.1f MiB after the streaming phase%s",
                liveAfterStreaming / MIB, options.backups()
                        ? String.format(Locale.ROOT, ", %.1f MiB at the end", liveAtEnd / MIB) : "");
        if (backupOutcome != null) {
            out("");
            backupOutcome.print();
        }
        out("");
        wal.print();
        out("");
        out("daemon threads by name after the streaming phase (jcmd Thread.print; virtual threads not listed):");
        out(threadsStreaming);
        if (threadsBackups != null) {
            out("daemon threads by name during the backups (at the second sample):");
            out(threadsBackups);
        }
        if (nmtStreaming != null) {
            out("native memory (NMT summary, committed) after the streaming phase:");
            out(nmtStreaming);
            if (nmtBackups != null) {
                out("native memory (NMT summary, committed) after the backups:");
                out(nmtBackups);
            }
        }
        out("load average before: %s, after: %s", loadBefore, loadAfter);

        stopDaemon();
        out("");
        summariseDaemonLog();

        if (!failures.isEmpty()) {
            out("");
            out("FAILED checks:");
            failures.forEach(f -> out("  - %s", f));
            return 1;
        }
        out("");
        out("all checks passed");
        return 0;
    }

    // ---- PostgreSQL servers -------------------------------------------------------------------

    private void startServers(List<Integer> majors) {
        long started = System.nanoTime();
        for (int i = 0; i < options.clusters(); i++) {
            int major = majors.get(i % majors.size());
            PgServer server = kit.start(major);
            server.process().postmasterPid().ifPresent(pid -> postmasters.add(pid));
            writePids();
            server.execute("CREATE TABLE bench_load (id bigserial PRIMARY KEY, "
                    + "at timestamptz NOT NULL DEFAULT clock_timestamp(), payload text NOT NULL)");
            String name = String.format(Locale.ROOT, "c%02d-pg%d", i + 1, major);
            // Switches are spread over the interval, as independent clusters' would be.
            Duration firstSwitch = options.switchEvery().multipliedBy(i + 1).dividedBy(options.clusters());
            clusters.add(new Cluster(name, server, new ClusterLoad(name, server, options.insertEvery(),
                    options.switchEvery(), firstSwitch)));
        }
        out("started %d PostgreSQL servers in %.1f s (test kit: shared_buffers 32MB, max_connections 40, fsync off)",
                clusters.size(), (System.nanoTime() - started) / 1e9);
    }

    /** The postmasters' ids, for the script to stop should this JVM die without its shutdown hook. */
    private void writePids() {
        try {
            Files.writeString(options.work().resolve("postmasters.pids"),
                    String.join("\n", postmasters.stream().map(String::valueOf).toList()) + "\n");
        } catch (IOException e) {
            throw new IllegalStateException("cannot write the postmasters' ids: " + e, e);
        }
    }

    // ---- The daemon ---------------------------------------------------------------------------

    private void writeConfig() throws IOException {
        Path work = options.work();
        byte[] secret = new byte[16];
        new SecureRandom().nextBytes(secret);
        token = HexFormat.of().formatHex(secret);
        Path tokenFile = secretFile(work.resolve("token"), token);
        Path passwordFile = secretFile(work.resolve("password"), TestCredentials.SCRAM_PASSWORD);
        int port = dev.cellar.restore.postgres.FreePort.onLoopback();
        base = "http://127.0.0.1:" + port;
        StringBuilder yaml = new StringBuilder();
        yaml.append("""
                repository:
                  path: %s
                server:
                  listen: 127.0.0.1:%d
                  token_file: %s
                defaults:
                  schedule: { full: off, incremental: off, verify: off }
                  retention: { min_full: 1 }
                clusters:
                """.formatted(work.resolve("repo"), port, tokenFile));
        for (Cluster c : clusters) {
            // checkpoint: fast, or every backup of the second phase would wait for a spread
            // checkpoint (about 0.9 x checkpoint_timeout) whatever little there is to write.
            yaml.append("""
                      - name: %s
                        conninfo: host=%s port=%d user=%s
                        password_file: %s
                        checkpoint: fast
                    """.formatted(c.name(), c.server().host(), c.server().port(), TestCredentials.SCRAM_USER,
                    passwordFile));
        }
        config = work.resolve("cellar.yaml");
        Files.writeString(config, yaml);
    }

    private static Path secretFile(Path file, String value) throws IOException {
        Files.writeString(file, value + "\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        return file;
    }

    private void startDaemon() throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Xmx" + options.xmx());
        if (options.nmt()) {
            command.add("-XX:NativeMemoryTracking=summary");
        }
        command.addAll(options.daemonJavaOptions());
        command.addAll(List.of("--enable-native-access=ALL-UNNAMED", "-cp", options.daemonClasspath(),
                "dev.cellar.server.cli.BackupCtl", "--config", config.toString(), "serve"));
        daemonLog = options.work().resolve("serve.log");
        daemon = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(daemonLog.toFile()).start();
        Files.writeString(options.work().resolve("daemon.pid"), daemon.pid() + "\n");
        out("daemon: pid %d, Java %s, %s", daemon.pid(), Runtime.version(), String.join(" ",
                command.subList(1, command.size())));
    }

    private Sample awaitStreaming() throws Exception {
        long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
        String last = "no answer";
        while (System.nanoTime() < deadline) {
            if (!daemon.isAlive()) {
                throw new IllegalStateException("the daemon exited with status " + daemon.exitValue());
            }
            try {
                HttpResponse<String> health = request("GET", "/health", null, false);
                last = health.body();
                if (health.statusCode() == 200 && JSON.readTree(last).path("streaming").asInt() == options.clusters()) {
                    return sample(System.nanoTime());
                }
            } catch (IOException e) {
                last = e.toString();
            }
            Thread.sleep(250);
        }
        throw new IllegalStateException("not all " + options.clusters() + " streams streaming after 3 min; /health: "
                + last);
    }

    private void stopDaemon() throws InterruptedException, IOException {
        long started = System.nanoTime();
        daemon.destroy();
        if (daemon.waitFor(60, TimeUnit.SECONDS)) {
            // A JVM ended by SIGTERM exits with 143 (128 + 15) once its shutdown hooks have run,
            // whatever main returns; the daemon's own last line says whether it stopped cleanly.
            List<String> lines = Files.readAllLines(daemonLog, StandardCharsets.UTF_8);
            boolean clean = lines.stream().anyMatch(l -> l.endsWith("CellarDaemon - stopped"));
            out("daemon stopped on SIGTERM in %.1f s, exit status %d, %s", (System.nanoTime() - started) / 1e9,
                    daemon.exitValue(), clean ? "its log ends with \"stopped\"" : "no \"stopped\" in its log");
            if (!clean || (daemon.exitValue() != 0 && daemon.exitValue() != 143)) {
                failures.add("the daemon did not stop cleanly on SIGTERM (status " + daemon.exitValue() + ")");
            }
        } else {
            daemon.destroyForcibly().waitFor();
            failures.add("the daemon did not stop within 60 s of SIGTERM (killed)");
        }
    }

    // ---- Sampling -----------------------------------------------------------------------------

    private interface Step {
        void run() throws Exception;
    }

    private interface AfterSample {
        void accept(long k) throws Exception;
    }

    /**
     * Sample 0 (the phase's CPU baseline), then {@code begin}, then samples at {@code start + k * every}
     * for k = 1 .. {@code maxSamples}; stops early with one last sample as soon as {@code finished}
     * (asked every 500 ms between samples) says so, so that the phase's CPU ends with its work.
     */
    private Phase phase(String name, Duration every, long maxSamples, Step begin, BooleanSupplier finished,
                        AfterSample afterSample) throws Exception {
        List<Sample> samples = new ArrayList<>();
        Map<Long, CpuTicks> pgBefore = postgresCpu();
        double benchBefore = ProcStat.read(ProcessHandle.current().pid(), clockTicks).cpuSeconds();
        long start = System.nanoTime();
        samples.add(sample(start));
        progress(name, samples.getFirst());
        begin.run();
        long poll = Duration.ofMillis(500).toNanos();
        for (long k = 1; k <= maxSamples; k++) {
            long due = start + k * every.toNanos();
            boolean done = false;
            for (long wait = due - System.nanoTime(); wait > 0; wait = due - System.nanoTime()) {
                done = finished.getAsBoolean();
                if (done) {
                    break;
                }
                LockSupport.parkNanos(Math.min(wait, poll));
            }
            if (!daemon.isAlive()) {
                throw new IllegalStateException("the daemon exited with status " + daemon.exitValue());
            }
            Sample s = sample(start);
            samples.add(s);
            progress(name, s);
            afterSample.accept(k);
            if (done || finished.getAsBoolean()) {
                break;
            }
        }
        double pgCpu = cpuSince(pgBefore, postgresCpu());
        double benchCpu = ProcStat.read(ProcessHandle.current().pid(), clockTicks).cpuSeconds() - benchBefore;
        long peakRss = ProcStat.read(daemon.pid(), clockTicks).peakRss();
        return new Phase(name, every, List.copyOf(samples), peakRss, pgCpu, benchCpu);
    }

    private Sample sample(long phaseStart) throws Exception {
        long now = System.nanoTime();
        PrometheusText m = PrometheusText.parse(get("/metrics"));
        ProcStat proc = ProcStat.read(daemon.pid(), clockTicks);
        return new Sample((now - phaseStart) / 1e9,
                (long) m.sum("jvm_memory_used_bytes", s -> "heap".equals(s.label("area"))),
                (long) m.sum("jvm_memory_committed_bytes", s -> "heap".equals(s.label("area"))),
                (long) m.sum("jvm_memory_used_bytes", s -> "heap".equals(s.label("area"))
                        && (s.label("id").contains("Old") || s.label("id").contains("Tenured"))),
                (int) m.value("jvm_threads_live_threads"), proc.threads(), proc.rss(), proc.cpuSeconds(),
                m.byLabel("cellar_wal_lag_bytes", "cluster"), m.byLabel("cellar_wal_lag_seconds", "cluster"),
                m.byLabel("cellar_wal_streaming", "cluster"), m.value("cellar_wal_stream_reconnects_total"));
    }

    private void progress(String phase, Sample s) {
        long streamingNow = s.streaming().values().stream().filter(v -> v == 1.0).count();
        Map.Entry<String, Double> maxLag = s.lagBytes().entrySet().stream().max(Map.Entry.comparingByValue())
                .orElse(Map.entry("-", 0.0));
        System.err.printf(Locale.ROOT, "%s %6.1f s: heap %6.1f/%6.1f MiB (old %5.1f), threads %d jvm/%d os, "
                        + "RSS %6.1f MiB, CPU %7.2f s, streaming %d/%d, max lag %.0f B (%s)%n", phase, s.seconds(),
                s.heapUsed() / MIB, s.heapCommitted() / MIB, s.oldGenUsed() / MIB, s.jvmThreads(), s.osThreads(),
                s.rss() / MIB, s.cpuSeconds(), streamingNow, options.clusters(), maxLag.getValue(), maxLag.getKey());
    }

    /** {@code GC.run} through jcmd, then the heap in use as /metrics reports it. */
    private long liveHeapAfterFullGc() throws Exception {
        jcmd("GC.run");
        PrometheusText m = PrometheusText.parse(get("/metrics"));
        return (long) m.sum("jvm_memory_used_bytes", s -> "heap".equals(s.label("area")));
    }

    /** The daemon's platform threads from {@code jcmd Thread.print}, grouped by name with cluster names and numbers folded. */
    private String threadGroups() throws Exception {
        Map<String, Integer> groups = new TreeMap<>();
        Pattern name = Pattern.compile("^\"(.*)\"( #\\d+)?.*");
        int total = 0;
        for (String line : jcmd("Thread.print").split("\n")) {
            Matcher m = name.matcher(line);
            if (!m.matches()) {
                continue;
            }
            String group = m.group(1);
            for (Cluster c : clusters) {
                group = group.replace(c.name(), "<cluster>");
            }
            group = group.replaceAll("\\d+", "N") + (m.group(2) == null ? " (VM)" : "");
            groups.merge(group, 1, Integer::sum);
            total++;
        }
        StringBuilder text = new StringBuilder();
        groups.entrySet().stream().sorted(Map.Entry.<String, Integer>comparingByValue().reversed()
                        .thenComparing(Map.Entry.comparingByKey()))
                .forEach(e -> text.append(String.format(Locale.ROOT, "  %4d  %s%n", e.getValue(), e.getKey())));
        text.append(String.format(Locale.ROOT, "  %4d  in all", total));
        return text.toString();
    }

    /** The NMT summary's categories with at least 1 MiB committed, and the total. */
    private String nativeMemory() throws Exception {
        Pattern category = Pattern.compile("^-\\s+(.+?) \\(reserved=(\\d+)KB, committed=(\\d+)KB\\)");
        Pattern total = Pattern.compile("^Total: reserved=(\\d+)KB, committed=(\\d+)KB");
        StringBuilder text = new StringBuilder();
        String totalLine = "  (no total in the NMT output)";
        for (String line : jcmd("VM.native_memory", "summary").split("\n")) {
            Matcher t = total.matcher(line.strip());
            if (t.find()) {
                totalLine = String.format(Locale.ROOT, "  %8.1f MiB  total committed (reserved %.1f MiB)",
                        Long.parseLong(t.group(2)) / 1024.0, Long.parseLong(t.group(1)) / 1024.0);
                continue;
            }
            Matcher c = category.matcher(line.strip());
            if (c.find() && Long.parseLong(c.group(3)) >= 1024) {
                text.append(String.format(Locale.ROOT, "  %8.1f MiB  %s%n", Long.parseLong(c.group(3)) / 1024.0,
                        c.group(1).strip()));
            }
        }
        return text.append(totalLine).toString();
    }

    private String jcmd(String... command) throws Exception {
        List<String> line = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                Long.toString(daemon.pid())));
        line.addAll(List.of(command));
        Process p = new ProcessBuilder(line).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException("jcmd " + String.join(" ", command) + " failed: " + output);
        }
        return output;
    }

    // ---- Backups --------------------------------------------------------------------------------

    private BackupRound startBackups() throws Exception {
        Map<String, Long> jobs = new LinkedHashMap<>();
        for (Cluster c : clusters) {
            HttpResponse<String> response = request("POST", "/api/v1/clusters/" + c.name() + "/backups",
                    "{\"incremental\": false}", true);
            if (response.statusCode() != 202) {
                throw new IllegalStateException("POST backups of " + c.name() + " answered " + response.statusCode()
                        + ": " + response.body());
            }
            jobs.put(c.name(), JSON.readTree(response.body()).get("id").asLong());
        }
        return new BackupRound(jobs, System.nanoTime());
    }

    private final class BackupRound {
        private final Map<String, Long> jobs;
        private final Map<String, JsonNode> ended = new LinkedHashMap<>();
        private final long submitted;
        private long finishedAt;

        BackupRound(Map<String, Long> jobs, long submitted) {
            this.jobs = jobs;
            this.submitted = submitted;
        }

        /** One request for the newest jobs (not one per job: the polling is part of what is measured). */
        boolean finished() {
            if (ended.size() == jobs.size()) {
                return true;
            }
            Map<Long, JsonNode> recent = new LinkedHashMap<>();
            try {
                for (JsonNode view : JSON.readTree(get("/api/v1/jobs?limit=" + Math.min(1000, jobs.size() + 50)))) {
                    recent.put(view.path("id").asLong(), view);
                }
            } catch (Exception e) {
                throw new IllegalStateException("cannot read the jobs: " + e, e);
            }
            for (Map.Entry<String, Long> job : jobs.entrySet()) {
                JsonNode view = recent.get(job.getValue());
                if (!ended.containsKey(job.getKey()) && view != null && !"running".equals(view.path("outcome").asText())) {
                    ended.put(job.getKey(), view);
                }
            }
            if (ended.size() == jobs.size() && finishedAt == 0) {
                finishedAt = System.nanoTime();
            }
            return ended.size() == jobs.size();
        }

        BackupOutcome outcome() throws Exception {
            Map<String, Integer> outcomes = new TreeMap<>();
            List<Double> seconds = new ArrayList<>();
            long logical = 0;
            long stored = 0;
            for (String cluster : jobs.keySet()) {
                JsonNode job = ended.get(cluster);
                String outcome = job == null ? "not finished" : job.path("outcome").asText();
                outcomes.merge(outcome, 1, Integer::sum);
                if (!"succeeded".equals(outcome)) {
                    failures.add("backup of " + cluster + ": " + outcome
                            + (job == null ? "" : " (" + job.path("message").asText() + ")"));
                }
                JsonNode list = JSON.readTree(get("/api/v1/clusters/" + cluster + "/backups"));
                if (!list.isEmpty()) {
                    JsonNode newest = list.get(list.size() - 1);
                    if (!newest.path("seconds").isNull() && !newest.path("seconds").isMissingNode()) {
                        seconds.add(newest.path("seconds").asDouble());
                    }
                    logical += newest.path("logicalBytes").asLong();
                    stored += newest.path("storedBytes").asLong();
                }
            }
            double wall = ((finishedAt == 0 ? System.nanoTime() : finishedAt) - submitted) / 1e9;
            return new BackupOutcome(jobs.size(), outcomes, wall, seconds, logical, stored);
        }
    }

    private record BackupOutcome(int count, Map<String, Integer> outcomes, double wallSeconds, List<Double> seconds,
                                 long logicalBytes, long storedBytes) {
        void print() {
            Stats s = Stats.of(seconds);
            out("backups: %d submitted at once (server.max_concurrent_backups: default 2), all ended %.1f s later; "
                            + "outcomes %s; each backup %.1f / %.1f / %.1f s (min / median / max); %.1f MiB of data, "
                            + "%.1f MiB stored", count, wallSeconds, outcomes, s.min(), s.median(), s.max(),
                    logicalBytes / MIB, storedBytes / MIB);
        }
    }

    // ---- WAL check ----------------------------------------------------------------------------

    /** A last {@code pg_switch_wal()} on every cluster, then waits until the repository holds WAL through it. */
    private WalCheck verifyWal() throws Exception {
        Map<String, Lsn> targets = new LinkedHashMap<>();
        for (Cluster c : clusters) {
            targets.put(c.name(), c.server().switchWal());
        }
        long started = System.nanoTime();
        long deadline = started + Duration.ofMinutes(2).toNanos();
        Map<String, JsonNode> reached = new LinkedHashMap<>();
        Map<String, JsonNode> latest = new LinkedHashMap<>();
        while (reached.size() < targets.size() && System.nanoTime() < deadline) {
            for (Map.Entry<String, Lsn> t : targets.entrySet()) {
                if (reached.containsKey(t.getKey())) {
                    continue;
                }
                JsonNode wal = JSON.readTree(get("/api/v1/clusters/" + t.getKey() + "/wal"));
                latest.put(t.getKey(), wal);
                if (archivedEnd(wal).compareTo(t.getValue()) >= 0) {
                    reached.put(t.getKey(), wal);
                }
            }
            if (reached.size() < targets.size()) {
                Thread.sleep(500);
            }
        }
        double waited = (System.nanoTime() - started) / 1e9;
        List<String> behind = new ArrayList<>();
        List<String> gaps = new ArrayList<>();
        long segments = 0;
        long logical = 0;
        long stored = 0;
        for (Map.Entry<String, Lsn> t : targets.entrySet()) {
            JsonNode wal = reached.getOrDefault(t.getKey(), latest.get(t.getKey()));
            if (!reached.containsKey(t.getKey())) {
                behind.add(t.getKey() + " archived through " + archivedEnd(wal) + ", last switch " + t.getValue());
            }
            if (!wal.path("gaps").isEmpty()) {
                gaps.add(t.getKey() + ": " + wal.path("gaps"));
            }
            segments += wal.path("segments").asLong();
            logical += wal.path("logicalBytes").asLong();
            stored += wal.path("storedBytes").asLong();
        }
        behind.forEach(s -> failures.add("WAL not archived through the last switch: " + s));
        gaps.forEach(g -> failures.add("WAL gap recorded: " + g));
        return new WalCheck(targets.size(), reached.size(), waited, gaps, behind, segments, logical, stored);
    }

    private static Lsn archivedEnd(JsonNode wal) {
        Lsn end = Lsn.ZERO;
        for (JsonNode timeline : wal.path("timelines")) {
            String text = timeline.path("endLsn").asText(null);
            if (text != null && !text.equals("null")) {
                end = Lsn.max(end, Lsn.parse(text));
            }
        }
        return end;
    }

    private record WalCheck(int clusters, int reached, double waitedSeconds, List<String> gaps, List<String> behind,
                            long segments, long logicalBytes, long storedBytes) {
        void print() {
            out("WAL after a last pg_switch_wal() on every cluster: %d/%d clusters archived through it (checked "
                    + "for %.1f s); gaps recorded: %s; repository: %d segments, %.1f MiB of WAL, %.1f MiB stored",
                    reached, clusters, waitedSeconds, gaps.isEmpty() ? "none" : gaps.size() + " " + gaps, segments,
                    logicalBytes / MIB, storedBytes / MIB);
            behind.forEach(s -> out("  not through the last switch: %s", s));
        }
    }

    // ---- Results ------------------------------------------------------------------------------

    private void printTables(Phase streaming, Phase backups, List<LoadResult> loads) {
        List<Phase> phases = backups == null ? List.of(streaming) : List.of(streaming, backups);
        out("Daemon (backupctl serve, -Xmx%s%s), %d clusters: min / median / max over each phase's samples",
                options.xmx(), options.nmt() ? ", NMT summary" : "", options.clusters());
        out("");
        StringBuilder header = new StringBuilder("| measure |");
        StringBuilder rule = new StringBuilder("|---|");
        for (Phase p : phases) {
            header.append(" ").append(p.title(options.clusters())).append(" |");
            rule.append("---|");
        }
        out(header.toString());
        out(rule.toString());
        row(phases, "heap used MiB", s -> s.heapUsed() / MIB, 1);
        row(phases, "heap committed MiB", s -> s.heapCommitted() / MIB, 1);
        row(phases, "old generation used MiB", s -> s.oldGenUsed() / MIB, 1);
        row(phases, "live JVM threads (jvm_threads_live_threads)", Sample::jvmThreads, 0);
        row(phases, "OS threads (/proc Threads)", Sample::osThreads, 0);
        row(phases, "RSS MiB (/proc VmRSS)", s -> s.rss() / MIB, 1);
        row(phases, "WAL lag bytes, largest cluster", Sample::maxLag, 0);
        row(phases, "WAL lag seconds, largest cluster", Sample::maxLagSeconds, 1);
        out("");
        out(header.toString());
        out(rule.toString());
        single(phases, "wall s (first to last sample)", p -> fmt(p.wallSeconds(), 1));
        single(phases, "samples", p -> p.samples().size() + " every " + p.every().toSeconds() + " s");
        single(phases, "daemon CPU-s", p -> fmt(p.cpuSeconds(), 2));
        single(phases, "daemon CPU % of one core", p -> fmt(100 * p.cpuSeconds() / p.wallSeconds(), 2));
        single(phases, "daemon CPU-s per minute", p -> fmt(60 * p.cpuSeconds() / p.wallSeconds(), 2));
        single(phases, "daemon peak RSS since its start MiB (VmHWM)", p -> fmt(p.peakRss() / MIB, 1));
        single(phases, "max WAL lag (cluster, time)", Phase::maxLagText);
        single(phases, "samples with all streams streaming", p -> p.allStreaming(options.clusters()) + "/"
                + p.samples().size());
        single(phases, "stream reconnects in the phase", p -> fmt(p.reconnects(), 0));
        single(phases, "PostgreSQL servers' CPU-s (all, with load and walsenders)", p -> fmt(p.postgresCpu(), 2));
        single(phases, "load generator (bench JVM) CPU-s", p -> fmt(p.benchCpu(), 2));

        long commits = loads.stream().mapToLong(LoadResult::commits).sum();
        long switches = loads.stream().mapToLong(LoadResult::switches).sum();
        long errors = loads.stream().mapToLong(LoadResult::errors).sum();
        out("");
        out("load over the run: %d commits, %d pg_switch_wal() calls, %d errors%s", commits, switches, errors,
                errors == 0 ? "" : "; last: " + loads.stream().filter(l -> l.lastError() != null)
                        .map(l -> l.cluster() + ": " + l.lastError()).toList());
        if (errors > 0) {
            failures.add("the load saw " + errors + " errors");
        }
        for (Phase p : phases) {
            if (p.allStreaming(options.clusters()) != p.samples().size()) {
                failures.add("in the " + p.name() + " phase, " + (p.samples().size() - p.allStreaming(options.clusters()))
                        + " samples had a stream not streaming");
            }
            if (p.reconnects() > 0) {
                failures.add("in the " + p.name() + " phase, streams reconnected " + fmt(p.reconnects(), 0) + " times");
            }
        }
    }

    private static void row(List<Phase> phases, String label, ToDoubleFunction<Sample> value, int decimals) {
        StringBuilder line = new StringBuilder("| ").append(label).append(" |");
        for (Phase p : phases) {
            Stats s = Stats.of(p.samples().stream().map(value::applyAsDouble).toList());
            line.append(" ").append(fmt(s.min(), decimals)).append(" / ").append(fmt(s.median(), decimals))
                    .append(" / ").append(fmt(s.max(), decimals)).append(" |");
        }
        out(line.toString());
    }

    private static void single(List<Phase> phases, String label, java.util.function.Function<Phase, String> value) {
        StringBuilder line = new StringBuilder("| ").append(label).append(" |");
        for (Phase p : phases) {
            line.append(" ").append(value.apply(p)).append(" |");
        }
        out(line.toString());
    }

    private static String fmt(double value, int decimals) {
        return String.format(Locale.ROOT, "%." + decimals + "f", value);
    }

    private record Sample(double seconds, long heapUsed, long heapCommitted, long oldGenUsed, int jvmThreads,
                          int osThreads, long rss, double cpuSeconds, Map<String, Double> lagBytes,
                          Map<String, Double> lagSeconds, Map<String, Double> streaming, double reconnects) {
        double maxLag() {
            return lagBytes.values().stream().mapToDouble(Double::doubleValue).max().orElse(0);
        }

        double maxLagSeconds() {
            return lagSeconds.values().stream().mapToDouble(Double::doubleValue).max().orElse(0);
        }
    }

    private record Phase(String name, Duration every, List<Sample> samples, long peakRss, double postgresCpu,
                         double benchCpu) {
        String title(int clusters) {
            return "streaming".equals(name) ? "streaming, " + clusters + " clusters under load"
                    : "one full backup per cluster, load continuing";
        }

        double wallSeconds() {
            return samples.getLast().seconds() - samples.getFirst().seconds();
        }

        double cpuSeconds() {
            return samples.getLast().cpuSeconds() - samples.getFirst().cpuSeconds();
        }

        double reconnects() {
            return samples.getLast().reconnects() - samples.getFirst().reconnects();
        }

        long allStreaming(int clusters) {
            return samples.stream().filter(s -> s.streaming().size() == clusters
                    && s.streaming().values().stream().allMatch(v -> v == 1.0)).count();
        }

        String maxLagText() {
            String text = "0 B";
            double max = -1;
            for (Sample s : samples) {
                for (Map.Entry<String, Double> lag : s.lagBytes().entrySet()) {
                    if (lag.getValue() > max) {
                        max = lag.getValue();
                        text = String.format(Locale.ROOT, "%.0f B (%s, %.0f s)", lag.getValue(), lag.getKey(),
                                s.seconds());
                    }
                }
            }
            return text;
        }
    }

    private record Stats(double min, double median, double max) {
        static Stats of(List<Double> values) {
            if (values.isEmpty()) {
                return new Stats(Double.NaN, Double.NaN, Double.NaN);
            }
            List<Double> sorted = values.stream().sorted().toList();
            int n = sorted.size();
            double median = n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
            return new Stats(sorted.getFirst(), median, sorted.getLast());
        }
    }

    // ---- The daemon's log ---------------------------------------------------------------------

    /** WARN and ERROR lines of the daemon's log, grouped by logger and message with cluster names and numbers folded. */
    private void summariseDaemonLog() throws IOException {
        List<String> lines = Files.readAllLines(daemonLog, StandardCharsets.UTF_8);
        Pattern event = Pattern.compile("^\\S+ \\S+ (TRACE|DEBUG|INFO|WARN|ERROR)\\s+\\[[^]]*] (?:\\[[^]]*] )?(\\S+) - (.*)$");
        Map<String, Integer> levels = new TreeMap<>();
        Map<String, Integer> problems = new LinkedHashMap<>();
        Map<String, String> examples = new LinkedHashMap<>();
        int stackLines = 0;
        for (String line : lines) {
            Matcher m = event.matcher(line);
            if (!m.matches()) {
                if (line.startsWith("\tat ") || line.startsWith("Caused by:")) {
                    stackLines++;
                }
                continue;
            }
            levels.merge(m.group(1), 1, Integer::sum);
            if (m.group(1).equals("WARN") || m.group(1).equals("ERROR")) {
                String message = m.group(3);
                for (Cluster c : clusters) {
                    message = message.replace(c.name(), "<cluster>");
                }
                String key = m.group(1) + " " + m.group(2) + " - " + message.replaceAll("\\d+", "N");
                problems.merge(key, 1, Integer::sum);
                examples.putIfAbsent(key, line);
            }
        }
        out("daemon log %s: %d lines, %.1f KiB; events by level %s; stack trace lines %d", daemonLog, lines.size(),
                Files.size(daemonLog) / 1024.0, levels, stackLines);
        if (problems.isEmpty()) {
            out("  no WARN or ERROR");
        }
        problems.entrySet().stream().sorted(Map.Entry.<String, Integer>comparingByValue().reversed()).limit(15)
                .forEach(e -> out("  %4d x %s%n         e.g. %s", e.getValue(), e.getKey(), examples.get(e.getKey())));
    }

    private void printDaemonLogTail() {
        if (daemonLog == null || !Files.exists(daemonLog)) {
            return;
        }
        try {
            List<String> lines = Files.readAllLines(daemonLog, StandardCharsets.UTF_8);
            System.err.println("--- last lines of " + daemonLog);
            lines.subList(Math.max(0, lines.size() - 40), lines.size()).forEach(System.err::println);
        } catch (IOException e) {
            System.err.println("cannot read " + daemonLog + ": " + e);
        }
    }

    // ---- Clean-up -----------------------------------------------------------------------------

    /** Load stopped, daemon SIGTERM-ed (killed after 60 s), servers stopped; safe to call twice. */
    private void cleanUp() {
        if (!cleanedUp.compareAndSet(false, true)) {
            return;
        }
        for (Cluster c : clusters) {
            c.load().stop();
        }
        Process d = daemon;
        if (d != null && d.isAlive()) {
            d.destroy();
            try {
                if (!d.waitFor(60, TimeUnit.SECONDS)) {
                    System.err.println("many-clusters: the daemon did not stop within 60 s of SIGTERM; killing it");
                    d.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                d.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
        try {
            kit.close();
        } catch (RuntimeException e) {
            System.err.println("many-clusters: stopping the PostgreSQL servers: " + e.getMessage());
        }
        // A stop that failed (a data directory deleted under it by the kit's own exit hook) must not
        // leave a postmaster behind: SIGTERM each remaining one by the id it had.
        for (long pid : postmasters) {
            ProcessHandle.of(pid).filter(ProcessHandle::isAlive)
                    .filter(h -> h.info().command().map(c -> c.endsWith("/postgres")).orElse(false))
                    .ifPresent(ProcessHandle::destroy);
        }
    }

    // ---- Small helpers -------------------------------------------------------------------------

    private String get(String path) throws Exception {
        HttpResponse<String> response = request("GET", path, null, true);
        if (response.statusCode() != 200) {
            throw new IllegalStateException("GET " + path + " answered " + response.statusCode() + ": " + response.body());
        }
        return response.body();
    }

    private HttpResponse<String> request(String method, String path, String body, boolean authorised)
            throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            request.header("Content-Type", "application/json");
        }
        if (authorised) {
            request.header("Authorization", "Bearer " + token);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static void out(String format, Object... args) {
        System.out.println(args.length == 0 ? format : String.format(Locale.ROOT, format, args));
        System.out.flush();
    }

    private static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).strip().split("\\s+");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException e) {
            return "unknown";
        }
    }

    private static String memTotal() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (line.startsWith("MemTotal:")) {
                    return String.format(Locale.ROOT, "%.1f GiB RAM",
                            Long.parseLong(line.replaceAll("\\D", "")) / (1024.0 * 1024.0));
                }
            }
        } catch (IOException | NumberFormatException e) {
            // Only printed for context.
        }
        return "RAM unknown";
    }

    /** {@code getconf CLK_TCK}: the unit of /proc/PID/stat's CPU times (100 on every Linux seen). */
    private static long clockTicks() {
        try {
            Process p = new ProcessBuilder("getconf", "CLK_TCK").redirectErrorStream(true).start();
            String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            return p.waitFor() == 0 ? Long.parseLong(text) : 100;
        } catch (IOException | NumberFormatException e) {
            return 100;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 100;
        }
    }

    /** CPU of every PostgreSQL server: each postmaster with its reaped children, and its live children. */
    private Map<Long, CpuTicks> postgresCpu() {
        Map<Long, CpuTicks> ticks = new LinkedHashMap<>();
        for (long pid : postmasters) {
            ProcessHandle.of(pid).ifPresent(postmaster -> {
                ProcStat.ticks(pid).ifPresent(t -> ticks.put(pid, t));
                postmaster.children().forEach(child -> ProcStat.ticks(child.pid())
                        .ifPresent(t -> ticks.put(child.pid(), new CpuTicks(t.own(), 0))));
            });
        }
        return ticks;
    }

    private double cpuSince(Map<Long, CpuTicks> before, Map<Long, CpuTicks> after) {
        long sum = 0;
        for (Map.Entry<Long, CpuTicks> a : after.entrySet()) {
            CpuTicks b = before.getOrDefault(a.getKey(), new CpuTicks(0, 0));
            sum += a.getValue().total() - b.total();
        }
        // A child that ended during the phase lands in its postmaster's reaped time with all its
        // CPU, also what it used before the phase; the load's backends and the walsenders live
        // through the whole run, so only short-lived helpers (autovacuum workers) are over-counted.
        return sum / (double) clockTicks;
    }

    record CpuTicks(long own, long reaped) {
        long total() {
            return own + reaped;
        }
    }

    /** A process's CPU, RSS, peak RSS and thread count from /proc. */
    private record ProcStat(double cpuSeconds, long rss, long peakRss, int threads) {
        static ProcStat read(long pid, long clockTicks) throws IOException {
            CpuTicks ticks = ticks(pid).orElseThrow(() -> new IOException("no process " + pid));
            long rss = 0;
            long hwm = 0;
            int threads = 0;
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith("VmRSS:")) {
                    rss = kib(line);
                } else if (line.startsWith("VmHWM:")) {
                    hwm = kib(line);
                } else if (line.startsWith("Threads:")) {
                    threads = Integer.parseInt(line.substring("Threads:".length()).strip());
                }
            }
            return new ProcStat(ticks.own() / (double) clockTicks, rss, hwm, threads);
        }

        /** utime+stime, and cutime+cstime (reaped children), from /proc/PID/stat. */
        static java.util.Optional<CpuTicks> ticks(long pid) {
            try {
                String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
                // The command name may hold spaces and parentheses: fields start after the last ')'.
                String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                return java.util.Optional.of(new CpuTicks(Long.parseLong(f[11]) + Long.parseLong(f[12]),
                        Long.parseLong(f[13]) + Long.parseLong(f[14])));
            } catch (IOException | RuntimeException e) {
                return java.util.Optional.empty();
            }
        }

        private static long kib(String line) {
            return Long.parseLong(line.replaceAll("\\D", "")) * 1024;
        }
    }

    // ---- Load ---------------------------------------------------------------------------------

    private record Cluster(String name, PgServer server, ClusterLoad load) {
    }

    private record LoadResult(String cluster, long commits, long switches, long errors, String lastError) {
    }

    /**
     * One small INSERT transaction every {@code insertEvery} and a {@code pg_switch_wal()} every
     * {@code switchEvery} (the first after {@code firstSwitch}), on one connection from a virtual
     * thread; reconnects after an error, which it counts.
     */
    private static final class ClusterLoad {
        private final String name;
        private final PgServer server;
        private final Duration insertEvery;
        private final Duration switchEvery;
        private final Duration firstSwitch;
        private final AtomicLong commits = new AtomicLong();
        private final AtomicLong switches = new AtomicLong();
        private final AtomicLong errors = new AtomicLong();
        private volatile String lastError;
        private volatile boolean running;
        private Thread thread;

        ClusterLoad(String name, PgServer server, Duration insertEvery, Duration switchEvery, Duration firstSwitch) {
            this.name = name;
            this.server = server;
            this.insertEvery = insertEvery;
            this.switchEvery = switchEvery;
            this.firstSwitch = firstSwitch;
        }

        synchronized void start() {
            running = true;
            thread = Thread.ofVirtual().name("load-" + name).start(this::run);
        }

        private void run() {
            long next = System.nanoTime();
            long nextSwitch = next + firstSwitch.toNanos();
            while (running) {
                try (Connection c = server.connect();
                     PreparedStatement insert = c.prepareStatement("INSERT INTO bench_load (payload) VALUES (?)");
                     Statement s = c.createStatement()) {
                    while (running) {
                        insert.setString(1, payload());
                        insert.executeUpdate();
                        commits.incrementAndGet();
                        if (System.nanoTime() - nextSwitch >= 0) {
                            try (ResultSet rs = s.executeQuery("SELECT pg_switch_wal()")) {
                                rs.next();
                            }
                            switches.incrementAndGet();
                            nextSwitch += switchEvery.toNanos();
                        }
                        next += insertEvery.toNanos();
                        for (long wait = next - System.nanoTime(); wait > 0 && running; wait = next - System.nanoTime()) {
                            LockSupport.parkNanos(wait);
                        }
                    }
                } catch (SQLException | RuntimeException e) {
                    if (!running) {
                        return;
                    }
                    errors.incrementAndGet();
                    lastError = e.toString();
                    LockSupport.parkNanos(Duration.ofSeconds(1).toNanos());
                    next = System.nanoTime();
                }
            }
        }

        private static String payload() {
            char[] text = new char[100];
            ThreadLocalRandom random = ThreadLocalRandom.current();
            for (int i = 0; i < text.length; i++) {
                text[i] = (char) ('a' + random.nextInt(26));
            }
            return new String(text);
        }

        synchronized LoadResult stop() {
            running = false;
            if (thread != null) {
                LockSupport.unpark(thread);
                try {
                    thread.join(Duration.ofSeconds(10));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return new LoadResult(name, commits.get(), switches.get(), errors.get(), lastError);
        }
    }

    // ---- Options ------------------------------------------------------------------------------

    private record Options(int clusters, int minutes, Path work, String daemonClasspath, String xmx, boolean nmt,
                           boolean backups, Duration sampleEvery, Duration backupSampleEvery, Duration insertEvery,
                           Duration switchEvery, List<String> daemonJavaOptions) {
        static Options parse(String[] args) {
            int clusters = 20;
            int minutes = 5;
            Path work = null;
            String classpath = null;
            String xmx = "512m";
            boolean nmt = true;
            boolean backups = true;
            long sample = 10;
            long backupSample = 2;
            long insertMs = 200;
            long switchSeconds = 60;
            List<String> javaOptions = new ArrayList<>();
            for (int i = 0; i < args.length; i++) {
                String a = args[i];
                switch (a) {
                    case "--no-nmt" -> nmt = false;
                    case "--no-backups" -> backups = false;
                    case "--clusters", "--minutes", "--work", "--daemon-classpath", "--xmx", "--sample-seconds",
                         "--backup-sample-seconds", "--insert-ms", "--switch-seconds", "--daemon-java-option" -> {
                        if (i + 1 >= args.length) {
                            throw new IllegalArgumentException(a + " needs a value");
                        }
                        String v = args[++i];
                        switch (a) {
                            case "--clusters" -> clusters = positive(a, v);
                            case "--minutes" -> minutes = positive(a, v);
                            case "--work" -> work = Path.of(v).toAbsolutePath();
                            case "--daemon-classpath" -> classpath = v;
                            case "--xmx" -> xmx = v;
                            case "--sample-seconds" -> sample = positive(a, v);
                            case "--backup-sample-seconds" -> backupSample = positive(a, v);
                            case "--insert-ms" -> insertMs = positive(a, v);
                            case "--switch-seconds" -> switchSeconds = positive(a, v);
                            default -> javaOptions.add(v);
                        }
                    }
                    default -> throw new IllegalArgumentException("unknown argument " + a);
                }
            }
            if (work == null || classpath == null) {
                throw new IllegalArgumentException("--work and --daemon-classpath are required");
            }
            if (!xmx.matches("\\d+[kKmMgG]?")) {
                throw new IllegalArgumentException("--xmx takes a JVM size such as 512m: " + xmx);
            }
            return new Options(clusters, minutes, work, classpath, xmx, nmt, backups, Duration.ofSeconds(sample),
                    Duration.ofSeconds(backupSample), Duration.ofMillis(insertMs), Duration.ofSeconds(switchSeconds),
                    List.copyOf(javaOptions));
        }

        private static int positive(String option, String value) {
            try {
                int n = Integer.parseInt(value);
                if (n > 0) {
                    return n;
                }
            } catch (NumberFormatException e) {
                // Reported below.
            }
            throw new IllegalArgumentException(option + " takes a positive whole number: " + value);
        }
    }
}
