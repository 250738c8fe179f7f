package dev.cellar.config;

import static dev.cellar.config.ConfigKey.listOfMaps;
import static dev.cellar.config.ConfigKey.map;
import static dev.cellar.config.ConfigKey.scalar;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * Every key of the configuration file, declared once with type, default and doc text. Validation,
 * binding ({@link ConfigBinder}) and the reference ({@link ConfigReference}) all read these
 * declarations; a key without doc text fails {@code ConfigReferenceTest}.
 */
final class ConfigSchema {
    static final ConfigKey<Path> REPOSITORY_PATH = scalar("path", "absolute path", ValueParsers.absolutePath(),
            "Directory holding every cluster's WAL and backups: the source of truth for restores.").required();

    static final ConfigKey<ListenAddress> LISTEN = scalar("listen", "host:port", ListenAddress::parse,
            "Address of the admin HTTP API; write IPv6 as [address]:port.").withDefault("127.0.0.1:8432");
    static final ConfigKey<Secret> TOKEN = scalar("token", "secret", Secret::of,
            "Bearer token clients of the admin API must send; prefer token_file or ${ENV_VAR}."
                    + " Without a token the server refuses to serve the API.").secret();
    static final ConfigKey<Path> TOKEN_FILE = scalar("token_file", "path", ValueParsers.path(),
            "File holding the admin API token (one trailing newline is ignored); instead of token.");

    static final ConfigKey<Path> TLS_CERTIFICATE_FILE = scalar("certificate_file", "path", ValueParsers.path(),
            "PEM file holding the server's certificate, then any intermediate certificates; its subjectAltName"
                    + " must name the host or IP address clients connect to (e.g. IP:127.0.0.1).").required();
    static final ConfigKey<Path> TLS_KEY_FILE = scalar("key_file", "path", ValueParsers.path(),
            "PEM file holding the certificate's private key, RSA or EC, unencrypted PKCS#8 (BEGIN PRIVATE KEY);"
                    + " readable only by the server's user.").required();
    static final ConfigKey<Void> TLS = map("tls", ConfigSection.of(TLS_CERTIFICATE_FILE, TLS_KEY_FILE),
            "Serve the admin API over HTTPS (TLS 1.2 or later) with this certificate; leave out for plain HTTP."
                    + " Relative paths are taken from the configuration file's directory.");

    static final ConfigKey<Integer> MAX_CONCURRENT_BACKUPS = scalar("max_concurrent_backups", "integer 1..64",
            ValueParsers.integer(1, 64), "Base backups running at once across all clusters; the others wait for a"
                    + " slot (one cluster never has two at once).").withDefault("2");

    static final ConfigKey<Compression.Codec> COMPRESSION_METHOD = scalar("method", "one of none, zstd",
            ValueParsers.choice(Compression.Codec.values()), "Compression algorithm (in the map form).").required();
    static final ConfigKey<Integer> COMPRESSION_LEVEL = scalar("level", "integer 1..22",
            ValueParsers.integer(1, Compression.MAX_ZSTD_LEVEL), "zstd level: higher is smaller and slower.")
            .withDefault(String.valueOf(Compression.DEFAULT_ZSTD_LEVEL));
    static final ConfigKey<Integer> COMPRESSION_WORKERS = scalar("workers", "integer 0..200",
            ValueParsers.integer(0, Compression.MAX_WORKERS),
            "zstd worker threads per stream; 0 compresses on the calling thread.").withDefault("0");
    static final ConfigSection COMPRESSION_KEYS = ConfigSection.of(COMPRESSION_METHOD, COMPRESSION_LEVEL,
            COMPRESSION_WORKERS);

    // A backup server that takes no backups until told to is a trap: every job has a schedule
    // unless the configuration turns it off. Incrementals run on the days without a full.
    static final ConfigKey<Optional<String>> FULL = cron("full", "Full base backups.", "0 0 3 ? * SUN");
    static final ConfigKey<Optional<String>> INCREMENTAL = cron("incremental",
            "Incremental base backups (PostgreSQL 17 and later; see incremental_fallback).", "0 0 3 ? * MON-SAT");
    static final ConfigKey<Optional<String>> VERIFY = cron("verify",
            "Test restores of the newest backup on a scratch PostgreSQL server.", "0 30 4 * * ?");
    static final ConfigSection SCHEDULE_KEYS = ConfigSection.of(FULL, INCREMENTAL, VERIFY);

    static final ConfigKey<Duration> RECOVERY_WINDOW = scalar("recovery_window", "duration",
            DurationParser::parse, "Keep what is needed to restore to any moment this far back; 0d turns it off.")
            .withDefault("14d");
    static final ConfigKey<Integer> KEEP_DAILY = count("keep_daily", "Also keep the newest backup of each of the last N days.", "14");
    static final ConfigKey<Integer> KEEP_WEEKLY = count("keep_weekly", "Also keep the newest backup of each of the last N weeks.", "6");
    static final ConfigKey<Integer> KEEP_MONTHLY = count("keep_monthly", "Also keep the newest backup of each of the last N months.", "12");
    static final ConfigKey<Integer> MIN_FULL = scalar("min_full", "integer ≥ 1", ValueParsers.integer(1, Integer.MAX_VALUE),
            "Never keep fewer full backups than this, whatever the other rules say.").withDefault("2");
    static final ConfigSection RETENTION_KEYS = ConfigSection.of(RECOVERY_WINDOW, KEEP_DAILY, KEEP_WEEKLY,
            KEEP_MONTHLY, MIN_FULL);

    static final ConfigKey<Compression> COMPRESSION = compression(
            "How WAL and backups are stored: none, zstd or zstd:N (N 1..22), or a map of method, level and workers.")
            .withDefault("zstd:3");
    static final ConfigKey<Void> SCHEDULE = map("schedule", SCHEDULE_KEYS,
            "When each cluster's jobs run (Quartz cron, server time zone); off or null turns a job off.");
    static final ConfigKey<Void> RETENTION = map("retention", RETENTION_KEYS,
            "Which backups and WAL are kept; a backup is kept when any rule wants it.");

    static final ConfigKey<String> S3_BUCKET = scalar("bucket", "string", ValueParsers.bucket(), "Bucket name.").required();
    static final ConfigKey<String> S3_PREFIX = scalar("prefix", "string", ValueParsers.prefix(),
            "Prepended to every object name, e.g. cellar/.").withDefault("");
    static final ConfigKey<URI> S3_ENDPOINT = scalar("endpoint", "URL", ValueParsers.httpUrl(),
            "Endpoint of an S3-compatible store; leave out for AWS.");
    static final ConfigKey<String> S3_REGION = scalar("region", "string", ValueParsers.text(), "Region, e.g. eu-west-1.");
    static final ConfigKey<Secret> S3_ACCESS_KEY_ID = scalar("access_key_id", "secret", Secret::of,
            "Access key id; without keys the AWS default credential chain is used.").secret();
    static final ConfigKey<Path> S3_ACCESS_KEY_ID_FILE = scalar("access_key_id_file", "path", ValueParsers.path(),
            "File holding the access key id; instead of access_key_id.");
    static final ConfigKey<Secret> S3_SECRET_ACCESS_KEY = scalar("secret_access_key", "secret", Secret::of,
            "Secret access key; give it together with the access key id.").secret();
    static final ConfigKey<Path> S3_SECRET_ACCESS_KEY_FILE = scalar("secret_access_key_file", "path",
            ValueParsers.path(), "File holding the secret access key; instead of secret_access_key.");
    static final ConfigKey<Boolean> S3_PATH_STYLE = scalar("path_style", "boolean", ValueParsers.bool(),
            "Address the bucket as endpoint/bucket (most S3-compatible stores) instead of bucket.endpoint.")
            .withDefault("false");
    static final ConfigKey<Void> S3 = map("s3", ConfigSection.of(S3_BUCKET, S3_PREFIX, S3_ENDPOINT, S3_REGION,
            S3_ACCESS_KEY_ID, S3_ACCESS_KEY_ID_FILE, S3_SECRET_ACCESS_KEY, S3_SECRET_ACCESS_KEY_FILE, S3_PATH_STYLE),
            "An S3 bucket (AWS or compatible) that receives a copy of the repository.").required();

    static final ConfigKey<String> CLUSTER_NAME = scalar("name", "cluster name", ValueParsers.clusterName(),
            "Unique name, also the cluster's directory: lowercase letters, digits, '_' and '-'.").required();
    static final ConfigKey<Conninfo> CONNINFO = scalar("conninfo", "conninfo", Conninfo::parse,
            "libpq connection string (key=value or postgresql:// URI) for replication connections;"
                    + " several hosts allowed. Must not contain a password.").required();
    static final ConfigKey<Secret> PASSWORD = scalar("password", "secret", Secret::of,
            "Password of the replication user; prefer password_file or ${ENV_VAR}.").secret();
    static final ConfigKey<Path> PASSWORD_FILE = scalar("password_file", "path", ValueParsers.path(),
            "File holding the password (one trailing newline is ignored); instead of password.");
    static final ConfigKey<String> SLOT = scalar("slot", "slot name", ValueParsers.slotName(),
            "Physical replication slot Cellar creates and streams from; unique across clusters.")
            .withComputedDefault("cellar_ + name, '-' as '_'");
    static final ConfigKey<Boolean> SYNCHRONOUS = scalar("synchronous", "boolean", ValueParsers.bool(),
            "Confirm each WAL message once it is on disk, so the cluster may list Cellar in"
                    + " synchronous_standby_names (no data loss, slower commits).").withDefault("false");
    static final ConfigKey<BackupSource> BACKUP_FROM = scalar("backup_from", "one of primary, standby, any",
            ValueParsers.choice(BackupSource.values()), "Which server base backups are taken from.")
            .withDefault("primary");
    static final ConfigKey<IncrementalFallback> INCREMENTAL_FALLBACK = scalar("incremental_fallback",
            "one of full, fail", ValueParsers.choice(IncrementalFallback.values()),
            "When an incremental backup is impossible: take a full one instead, or fail.").withDefault("full");
    static final ConfigKey<Long> MAX_RATE = scalar("max_rate", "size per second", ValueParsers.rate(),
            "Limit on base backup transfer, e.g. 100MB (per second); leave out for no limit.");
    static final ConfigKey<CheckpointMode> CHECKPOINT = scalar("checkpoint", "one of spread, fast",
            ValueParsers.choice(CheckpointMode.values()),
            "The checkpoint that starts a base backup: spread (gentle, like a regular checkpoint) or fast (at once).")
            .withDefault("spread");
    static final ConfigKey<Optional<ServerCompression>> SERVER_COMPRESSION = scalar("server_compression",
            "none, gzip, lz4 or zstd[:detail]", ServerCompression::parse,
            "Compression PostgreSQL applies before sending base backup data, e.g. zstd:level=3,workers=2;"
                    + " saves network at the server's CPU cost.").withDefault("none");
    static final ConfigKey<ManifestChecksums> MANIFEST_CHECKSUMS = scalar("manifest_checksums",
            "one of crc32c, sha224, sha256, sha384, sha512", ValueParsers.choice(ManifestChecksums.values()),
            "Checksum of every file in a base backup's manifest, checked on receipt and on restore; the SHA-2"
                    + " ones cost the server CPU for every byte sent.").withDefault("crc32c");
    static final ConfigKey<Compression> CLUSTER_COMPRESSION = compression("Overrides defaults.compression.")
            .inheritingFrom("defaults.compression");
    static final ConfigKey<Void> CLUSTER_SCHEDULE = map("schedule", SCHEDULE_KEYS,
            "Overrides keys of defaults.schedule; a key left out keeps the default, off or null turns the job off.")
            .inheritingFrom("defaults.schedule");
    static final ConfigKey<Void> CLUSTER_RETENTION = map("retention", RETENTION_KEYS,
            "Overrides keys of defaults.retention; a key left out keeps the default.")
            .inheritingFrom("defaults.retention");
    static final ConfigSection CLUSTER_KEYS = ConfigSection.of(CLUSTER_NAME, CONNINFO, PASSWORD, PASSWORD_FILE, SLOT,
            SYNCHRONOUS, BACKUP_FROM, INCREMENTAL_FALLBACK, MAX_RATE, CHECKPOINT, SERVER_COMPRESSION, MANIFEST_CHECKSUMS, CLUSTER_COMPRESSION,
            CLUSTER_SCHEDULE,
            CLUSTER_RETENTION);

    static final ConfigKey<Void> REPOSITORY = map("repository", ConfigSection.of(REPOSITORY_PATH),
            "The local repository.").required();
    static final ConfigKey<Void> SERVER = map("server", ConfigSection.of(LISTEN, TLS, TOKEN, TOKEN_FILE,
            MAX_CONCURRENT_BACKUPS),
            "The admin API.");
    static final ConfigKey<Void> DEFAULTS = map("defaults", ConfigSection.of(COMPRESSION, SCHEDULE, RETENTION),
            "Settings for every cluster; a cluster may override each key.");
    static final ConfigKey<Void> OFFSITE = map("offsite", ConfigSection.of(S3),
            "Off-site copy of the repository; leave out to keep only the local one.");
    static final ConfigKey<Void> CLUSTERS = listOfMaps("clusters", CLUSTER_KEYS,
            "The PostgreSQL clusters to back up; may be empty.");
    static final ConfigSection ROOT = ConfigSection.of(REPOSITORY, SERVER, DEFAULTS, OFFSITE, CLUSTERS);

    private ConfigSchema() {
    }

    private static ConfigKey<Optional<String>> cron(String name, String what, String defaultCron) {
        return scalar(name, "cron", ValueParsers.cron(), what + " A Quartz cron expression, or off.")
                .withDefault(defaultCron).withNullMeaning("off");
    }

    private static ConfigKey<Integer> count(String name, String description, String defaultValue) {
        return scalar(name, "integer ≥ 0", ValueParsers.integer(0, Integer.MAX_VALUE), description)
                .withDefault(defaultValue);
    }

    private static ConfigKey<Compression> compression(String description) {
        return scalar("compression", "compression", Compression::parse, description).orMap(COMPRESSION_KEYS);
    }
}
