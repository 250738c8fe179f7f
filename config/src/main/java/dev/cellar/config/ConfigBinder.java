package dev.cellar.config;

import static dev.cellar.config.ConfigSchema.*;

import dev.cellar.config.YamlNode.Position;
import dev.cellar.config.YamlNode.YamlMap;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Turns the YAML tree into {@link CellarConfig}, following {@link ConfigSchema}: applies defaults,
 * merges each cluster's overrides over {@code defaults}, reads secrets, and checks what involves
 * more than one key (both password and password_file, duplicate names and slots). Problems go to
 * {@link Problems}; a record is only built from parts that are all valid. Not thread-safe.
 */
final class ConfigBinder {
    private static final int MAX_SLOT_NAME = 63;

    private final Problems problems;
    private final Interpolator interpolator;
    private final SecretSource secrets;
    private final Path baseDirectory;

    /** @param baseDirectory relative secret file paths are resolved against it (the config file's directory) */
    ConfigBinder(Problems problems, SecretSource secrets, Path baseDirectory) {
        this.problems = problems;
        this.interpolator = new Interpolator(secrets);
        this.secrets = secrets;
        this.baseDirectory = baseDirectory;
    }

    /** The configuration, or empty when any problem was reported. */
    Optional<CellarConfig> bind(YamlNode root) {
        if (!(root instanceof YamlMap map)) {
            problems.add("", root.position(), "expected a map of keys (" + String.join(", ", ROOT.names())
                    + "), got " + root.kind());
            return Optional.empty();
        }
        SectionReader reader = SectionReader.of(map, "", Position.START, ROOT, problems, interpolator);
        Optional<RepositorySettings> repository = reader.section(REPOSITORY)
                .flatMap(r -> r.get(REPOSITORY_PATH)).map(RepositorySettings::new);
        ServerSettings server = server(reader.sectionOrEmpty(SERVER));
        Defaults defaults = defaults(reader.sectionOrEmpty(DEFAULTS));
        Optional<OffsiteSettings> offsite = reader.section(OFFSITE).flatMap(r -> r.section(S3)).flatMap(this::s3)
                .map(OffsiteSettings::new);
        List<ClusterConfig> clusters = clusters(reader.list(CLUSTERS), defaults);
        if (!problems.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new CellarConfig(repository.orElseThrow(), server, defaults, offsite, clusters));
    }

    private ServerSettings server(SectionReader r) {
        return new ServerSettings(r.getOrDefault(LISTEN), r.section(TLS).flatMap(this::tls),
                secret(r, TOKEN, TOKEN_FILE), r.getOrDefault(MAX_CONCURRENT_BACKUPS));
    }

    /** Names the files only: the server reads them when it starts, and the CLI only the certificate. */
    private Optional<TlsSettings> tls(SectionReader r) {
        Optional<Path> certificate = r.get(TLS_CERTIFICATE_FILE).map(baseDirectory::resolve);
        Optional<Path> key = r.get(TLS_KEY_FILE).map(baseDirectory::resolve);
        return certificate.flatMap(c -> key.map(k -> new TlsSettings(c, k)));
    }

    private Defaults defaults(SectionReader r) {
        Schedule builtInSchedule = new Schedule(FULL.defaultValue(), INCREMENTAL.defaultValue(), VERIFY.defaultValue());
        Retention builtInRetention = new Retention(RECOVERY_WINDOW.defaultValue(), KEEP_DAILY.defaultValue(),
                KEEP_WEEKLY.defaultValue(), KEEP_MONTHLY.defaultValue(), MIN_FULL.defaultValue());
        return new Defaults(compression(r, COMPRESSION, COMPRESSION.defaultValue()),
                schedule(r.sectionOrEmpty(SCHEDULE), builtInSchedule),
                retention(r.sectionOrEmpty(RETENTION), builtInRetention));
    }

    /** The short form, the long form (a map), or {@code inherited} when the key is left out. */
    private Compression compression(SectionReader r, ConfigKey<Compression> key, Compression inherited) {
        if (!r.isMap(key)) {
            return r.get(key).orElse(inherited);
        }
        SectionReader form = r.section(key).orElseThrow();
        Optional<Compression.Codec> method = form.get(COMPRESSION_METHOD);
        if (method.isEmpty()) {
            return inherited;
        }
        if (method.get() == Compression.Codec.NONE) {
            for (ConfigKey<?> zstdOnly : List.of(COMPRESSION_LEVEL, COMPRESSION_WORKERS)) {
                if (form.has(zstdOnly)) {
                    form.report(zstdOnly, "applies to zstd only, not to method none");
                }
            }
            return Compression.NONE;
        }
        return new Compression(Compression.Codec.ZSTD, form.getOrDefault(COMPRESSION_LEVEL),
                form.getOrDefault(COMPRESSION_WORKERS));
    }

    /** Each key written in {@code r} replaces that key of {@code inherited}; the rest is kept. */
    private static Schedule schedule(SectionReader r, Schedule inherited) {
        return new Schedule(override(r, FULL, inherited.full()), override(r, INCREMENTAL, inherited.incremental()),
                override(r, VERIFY, inherited.verify()));
    }

    private static Retention retention(SectionReader r, Retention inherited) {
        return new Retention(override(r, RECOVERY_WINDOW, inherited.recoveryWindow()),
                override(r, KEEP_DAILY, inherited.keepDaily()), override(r, KEEP_WEEKLY, inherited.keepWeekly()),
                override(r, KEEP_MONTHLY, inherited.keepMonthly()), override(r, MIN_FULL, inherited.minFull()));
    }

    private static <T> T override(SectionReader r, ConfigKey<T> key, T inherited) {
        return r.get(key).orElse(inherited);
    }

    private Optional<S3Settings> s3(SectionReader r) {
        Optional<String> bucket = r.get(S3_BUCKET);
        String prefix = r.getOrDefault(S3_PREFIX);
        Optional<URI> endpoint = r.get(S3_ENDPOINT);
        Optional<String> region = r.get(S3_REGION);
        Optional<Secret> keyId = secret(r, S3_ACCESS_KEY_ID, S3_ACCESS_KEY_ID_FILE);
        Optional<Secret> secretKey = secret(r, S3_SECRET_ACCESS_KEY, S3_SECRET_ACCESS_KEY_FILE);
        boolean pathStyle = r.getOrDefault(S3_PATH_STYLE);
        boolean keyIdWritten = r.isSet(S3_ACCESS_KEY_ID) || r.isSet(S3_ACCESS_KEY_ID_FILE);
        boolean secretKeyWritten = r.isSet(S3_SECRET_ACCESS_KEY) || r.isSet(S3_SECRET_ACCESS_KEY_FILE);
        if (keyIdWritten != secretKeyWritten) {
            ConfigKey<?> written = keyIdWritten ? (r.isSet(S3_ACCESS_KEY_ID) ? S3_ACCESS_KEY_ID : S3_ACCESS_KEY_ID_FILE)
                    : (r.isSet(S3_SECRET_ACCESS_KEY) ? S3_SECRET_ACCESS_KEY : S3_SECRET_ACCESS_KEY_FILE);
            r.report(written, (keyIdWritten ? "secret_access_key" : "access_key_id") + " is missing; give both keys,"
                    + " or neither to use the default credential chain");
            return Optional.empty();
        }
        return bucket.filter(b -> keyId.isPresent() == secretKey.isPresent())
                .map(b -> new S3Settings(b, prefix, endpoint, region, keyId, secretKey, pathStyle));
    }

    /** Which cluster first claimed a name or slot, and where, to point at it from a duplicate. */
    private record Claim(String cluster, Position position) {
    }

    private List<ClusterConfig> clusters(List<SectionReader> readers, Defaults defaults) {
        Map<String, Claim> names = new HashMap<>();
        Map<String, Claim> slots = new HashMap<>();
        return readers.stream().flatMap(r -> cluster(r, defaults, names, slots).stream()).toList();
    }

    private Optional<ClusterConfig> cluster(SectionReader r, Defaults defaults, Map<String, Claim> names,
            Map<String, Claim> slots) {
        Optional<String> name = r.get(CLUSTER_NAME);
        Optional<String> slot = r.getOrElse(SLOT, () -> name.flatMap(n -> defaultSlot(r, n)));
        Optional<Conninfo> conninfo = r.get(CONNINFO);
        Optional<Secret> password = secret(r, PASSWORD, PASSWORD_FILE);
        boolean synchronous = r.getOrDefault(SYNCHRONOUS);
        BackupSource backupFrom = r.getOrDefault(BACKUP_FROM);
        IncrementalFallback fallback = r.getOrDefault(INCREMENTAL_FALLBACK);
        OptionalLong maxRate = r.get(MAX_RATE).map(OptionalLong::of).orElseGet(OptionalLong::empty);
        CheckpointMode checkpoint = r.getOrDefault(CHECKPOINT);
        Optional<ServerCompression> serverCompression = r.getOrDefault(SERVER_COMPRESSION);
        ManifestChecksums manifestChecksums = r.getOrDefault(MANIFEST_CHECKSUMS);
        Compression compression = compression(r, CLUSTER_COMPRESSION, defaults.compression());
        Schedule schedule = schedule(r.sectionOrEmpty(CLUSTER_SCHEDULE), defaults.schedule());
        Retention retention = retention(r.sectionOrEmpty(CLUSTER_RETENTION), defaults.retention());
        if (name.isEmpty()) {
            return Optional.empty();
        }
        Claim nameClaim = names.putIfAbsent(name.get(), new Claim(name.get(), r.position(CLUSTER_NAME)));
        if (nameClaim != null) {
            r.report(CLUSTER_NAME, "duplicate cluster name '" + name.get() + "' (first at line "
                    + nameClaim.position().line() + ")");
            return Optional.empty();
        }
        if (slot.isEmpty()) {
            return Optional.empty();
        }
        Claim slotClaim = slots.putIfAbsent(slot.get(), new Claim(name.get(), r.position(SLOT)));
        if (slotClaim != null) {
            r.report(SLOT, "slot '" + slot.get() + "' is also used by cluster '" + slotClaim.cluster() + "' (line "
                    + slotClaim.position().line() + "); each cluster needs its own replication slot");
            return Optional.empty();
        }
        if (conninfo.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new ClusterConfig(name.get(), conninfo.get(), password, slot.get(), synchronous,
                backupFrom, fallback, maxRate, checkpoint, serverCompression, manifestChecksums, compression, schedule,
                retention));
    }

    /** {@code cellar_<name>}, with '-' (allowed in names, not in slot names) as '_'. */
    private static Optional<String> defaultSlot(SectionReader r, String name) {
        String slot = "cellar_" + name.replace('-', '_');
        if (slot.length() > MAX_SLOT_NAME) {
            r.report(CLUSTER_NAME, "the default slot name '" + slot + "' would be longer than " + MAX_SLOT_NAME
                    + " characters; set slot");
            return Optional.empty();
        }
        return Optional.of(slot);
    }

    /** A secret given inline ({@code key}) or in a file ({@code fileKey}), not both. */
    private Optional<Secret> secret(SectionReader r, ConfigKey<Secret> key, ConfigKey<Path> fileKey) {
        if (r.isSet(key) && r.isSet(fileKey)) {
            r.report(fileKey, "give either " + key.name() + " or " + fileKey.name() + ", not both");
            return Optional.empty();
        }
        if (r.isSet(key)) {
            return r.get(key);
        }
        return r.get(fileKey).flatMap(path -> readSecretFile(r, fileKey, baseDirectory.resolve(path)));
    }

    private Optional<Secret> readSecretFile(SectionReader r, ConfigKey<Path> key, Path file) {
        String text;
        try {
            text = secrets.readFile(file);
        } catch (IOException e) {
            r.report(key, "cannot read " + file + ": " + ConfigLoader.reason(e));
            return Optional.empty();
        }
        // Editors and `echo` end files with a newline that is not part of the secret.
        String secret = text.endsWith("\r\n") ? text.substring(0, text.length() - 2)
                : text.endsWith("\n") ? text.substring(0, text.length() - 1) : text;
        if (secret.isEmpty()) {
            r.report(key, file + " is empty");
            return Optional.empty();
        }
        return Optional.of(Secret.of(secret));
    }
}
