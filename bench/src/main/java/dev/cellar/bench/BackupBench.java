package dev.cellar.bench;

import dev.cellar.core.backup.ChecksumAlgorithm;
import dev.cellar.storage.backup.BackupWriterSettings;
import dev.cellar.storage.codec.Codec;
import dev.cellar.storage.local.LocalStore;
import dev.cellar.storage.repository.Repository;
import dev.cellar.walreceiver.backup.BackupFrom;
import dev.cellar.walreceiver.backup.BackupOutcome;
import dev.cellar.walreceiver.backup.BackupRequest;
import dev.cellar.walreceiver.backup.BaseBackupOptions;
import dev.cellar.walreceiver.backup.BaseBackupRun;
import dev.cellar.walreceiver.backup.CheckpointMode;
import dev.cellar.walreceiver.connection.ReplicationConnectionSettings;
import dev.cellar.walreceiver.connection.TargetSessionAttrs;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * One full base backup with Cellar's backup code, for {@code bench/backup.sh}: exactly what the
 * server runs for a scheduled full backup, without the daemon around it. Prints
 * {@code stored_bytes=N} on success.
 *
 * <pre>BackupBench --host H --port P --user U --password-file F --repository DIR [--compression zstd:3]
 *             [--workers N] [--chunk-size BYTES] [--pipe-bytes BYTES] [--manifest-checksums CRC32C]
 *             [--serve stdin]</pre>
 *
 * With {@code --serve stdin} it stays up as the daemon does and takes one backup per line read
 * from standard input, each line naming the repository directory of that backup (the
 * {@code --repository} given is not used then), and answers each with one line
 * {@code done stored_bytes=N logical_bytes=M}: a warm JVM, as in {@code backupctl serve}.
 */
public final class BackupBench {
    private BackupBench() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> options = new HashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            if (!args[i].startsWith("--")) {
                usage("unexpected " + args[i]);
            }
            options.put(args[i].substring(2), args[i + 1]);
        }
        if (args.length % 2 != 0) {
            usage("every option takes a value");
        }
        for (String required : new String[] {"host", "port", "user", "password-file", "repository"}) {
            if (!options.containsKey(required)) {
                usage("missing --" + required);
            }
        }
        String password = Files.readString(Path.of(options.get("password-file")), StandardCharsets.UTF_8).strip();
        ReplicationConnectionSettings connection = ReplicationConnectionSettings.builder(options.get("user"))
                .endpoint(options.get("host"), Integer.parseInt(options.get("port")))
                .password(() -> Optional.of(password.toCharArray()))
                .applicationName("cellar-bench")
                .connectTimeout(Duration.ofSeconds(10))
                .targetSessionAttrs(TargetSessionAttrs.ANY)
                .build();
        BackupWriterSettings writer = BackupWriterSettings.defaults();
        if (options.containsKey("workers")) {
            writer = writer.withWorkers(Integer.parseInt(options.get("workers")));
        }
        if (options.containsKey("chunk-size")) {
            writer = writer.withChunkSize(Integer.parseInt(options.get("chunk-size")));
        }
        if (options.containsKey("pipe-bytes")) {
            writer = writer.withPipeBytes(Integer.parseInt(options.get("pipe-bytes")));
        }
        BaseBackupOptions backupOptions = BaseBackupOptions.full("cellar bench").withCheckpoint(CheckpointMode.FAST)
                .withManifestChecksums(ChecksumAlgorithm.parse(options.getOrDefault("manifest-checksums", "CRC32C")));
        BackupRequest request = new BackupRequest("bench", connection, BackupFrom.ANY, backupOptions,
                Codec.parse(options.getOrDefault("compression", "zstd:3")), writer, Optional.empty(), true);
        if ("stdin".equals(options.get("serve"))) {
            BufferedReader lines = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                BackupOutcome outcome = backup(Path.of(line.strip()), request);
                System.out.println("done stored_bytes=" + outcome.backup().storedSize()
                        + " logical_bytes=" + outcome.backup().logicalSize());
                System.out.flush();
            }
            return;
        }
        BackupOutcome outcome = backup(Path.of(options.get("repository")), request);
        System.out.println("stored_bytes=" + outcome.backup().storedSize());
        System.out.println("logical_bytes=" + outcome.backup().logicalSize());
    }

    private static BackupOutcome backup(Path directory, BackupRequest request) throws IOException {
        Repository repository = new Repository(LocalStore.open(Files.createDirectories(directory)));
        return new BaseBackupRun(repository, request, Clock.systemUTC()).execute();
    }

    private static void usage(String problem) {
        System.err.println("BackupBench: " + problem);
        System.err.println("usage: BackupBench --host H --port P --user U --password-file F --repository DIR"
                + " [--compression zstd:3] [--workers N] [--chunk-size BYTES] [--pipe-bytes BYTES]"
                + " [--manifest-checksums CRC32C] [--serve stdin]");
        System.exit(2);
    }
}
