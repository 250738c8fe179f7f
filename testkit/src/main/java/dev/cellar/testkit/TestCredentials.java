package dev.cellar.testkit;

/**
 * Roles every test server has. {@code postgres} is the superuser and logs in with {@code trust};
 * the others must authenticate, so tests can exercise SCRAM and md5 for real.
 */
public final class TestCredentials {
    /** Superuser, trusted from 127.0.0.1 and the Unix socket. */
    public static final String SUPERUSER = "postgres";
    /** A LOGIN REPLICATION role that must authenticate with SCRAM-SHA-256. */
    public static final String SCRAM_USER = "cellar_scram";
    public static final String SCRAM_PASSWORD = "scram-pass-1f3c";
    /** A LOGIN REPLICATION role whose password is stored as md5 and that must authenticate with md5. */
    public static final String MD5_USER = "cellar_md5";
    public static final String MD5_PASSWORD = "md5-pass-77ab";

    private TestCredentials() {
    }
}
