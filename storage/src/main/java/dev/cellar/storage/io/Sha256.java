package dev.cellar.storage.io;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** SHA-256 helpers; every Java runtime provides the algorithm. */
public final class Sha256 {
    private Sha256() {
    }

    /** A fresh digest. */
    public static MessageDigest newDigest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the Java runtime lacks SHA-256, which every runtime must provide", e);
        }
    }

    /** The lower-case hex SHA-256 of the bytes. */
    public static String hex(byte[] bytes) {
        return HexFormat.of().formatHex(newDigest().digest(bytes));
    }

    /** The lower-case hex digest so far, leaving the digest usable for more bytes. */
    static String hexSoFar(MessageDigest digest) {
        try {
            return HexFormat.of().formatHex(((MessageDigest) digest.clone()).digest());
        } catch (CloneNotSupportedException e) {
            throw new IllegalStateException("SHA-256 digest of " + digest.getProvider() + " cannot be cloned", e);
        }
    }
}
