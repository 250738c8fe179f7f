package dev.cellar.walreceiver.connection;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;

/**
 * The answer to AuthenticationMD5Password: {@code "md5" + md5hex(md5hex(password + user) + salt)}
 * ([proto] AuthenticationMD5Password; libpq {@code pg_password_sendauth}). Password and user are
 * UTF-8 bytes. Intermediate buffers holding the password are zeroed. Stateless.
 */
final class Md5Password {
    private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

    private Md5Password() {
    }

    /** The 35 ASCII bytes to send in a PasswordMessage (without the terminating NUL). */
    static byte[] response(String user, char[] password, byte[] salt) {
        if (salt.length != 4) {
            throw new IllegalArgumentException("an MD5 salt has 4 bytes, not " + salt.length);
        }
        MessageDigest md5 = md5();
        byte[] passwordBytes = Utf8Secrets.encode(password);
        byte[] innerHex = null;
        try {
            md5.update(passwordBytes);
            md5.update(user.getBytes(StandardCharsets.UTF_8));
            innerHex = hex(md5.digest());
            md5.update(innerHex);
            md5.update(salt);
            byte[] outerHex = hex(md5.digest());
            byte[] response = new byte[3 + outerHex.length];
            response[0] = 'm';
            response[1] = 'd';
            response[2] = '5';
            System.arraycopy(outerHex, 0, response, 3, outerHex.length);
            return response;
        } finally {
            Arrays.fill(passwordBytes, (byte) 0);
            if (innerHex != null) {
                Arrays.fill(innerHex, (byte) 0);
            }
        }
    }

    private static byte[] hex(byte[] digest) {
        byte[] out = new byte[digest.length * 2];
        for (int i = 0; i < digest.length; i++) {
            out[2 * i] = HEX[(digest[i] >> 4) & 0xF];
            out[2 * i + 1] = HEX[digest[i] & 0xF];
        }
        return out;
    }

    private static MessageDigest md5() {
        try {
            return MessageDigest.getInstance("MD5");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this JVM has no MD5, which every Java platform must provide", e);
        }
    }

    /** UTF-8 encoding of secrets without leaving copies in intermediate strings. */
    static final class Utf8Secrets {
        private Utf8Secrets() {
        }

        /** The UTF-8 bytes of {@code chars} in an array the caller must zero. */
        static byte[] encode(char[] chars) {
            ByteBuffer encoded = StandardCharsets.UTF_8.encode(CharBuffer.wrap(chars));
            byte[] bytes = new byte[encoded.remaining()];
            encoded.get(bytes);
            if (encoded.hasArray()) {
                Arrays.fill(encoded.array(), (byte) 0);
            }
            return bytes;
        }
    }
}
