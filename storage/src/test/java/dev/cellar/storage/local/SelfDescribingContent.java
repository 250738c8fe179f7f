package dev.cellar.storage.local;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Object contents that say what they must be: a first line {@code <size> <seed>} followed by
 * pseudo-random bytes from the seed, so a reader can tell a whole object from a torn one without
 * knowing who wrote it.
 */
final class SelfDescribingContent {
    private SelfDescribingContent() {
    }

    static byte[] make(int size, long seed) {
        byte[] header = (size + " " + seed + "\n").getBytes(StandardCharsets.US_ASCII);
        byte[] bytes = Arrays.copyOf(header, Math.max(size, header.length));
        fill(bytes, header.length, seed);
        return bytes;
    }

    static InputStream stream(int size, long seed) {
        return new ByteArrayInputStream(make(size, seed));
    }

    /** Whether {@code bytes} is exactly what its own header announces. */
    static boolean isWhole(byte[] bytes) {
        int newline = -1;
        for (int i = 0; i < Math.min(bytes.length, 64); i++) {
            if (bytes[i] == '\n') {
                newline = i;
                break;
            }
        }
        if (newline < 0) {
            return false;
        }
        String[] header = new String(bytes, 0, newline, StandardCharsets.US_ASCII).split(" ");
        int size = Integer.parseInt(header[0]);
        long seed = Long.parseLong(header[1]);
        return Arrays.equals(bytes, make(size, seed));
    }

    private static void fill(byte[] bytes, int from, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        for (int i = from; i < bytes.length; i++) {
            bytes[i] = (byte) random.nextInt(256);
        }
    }
}
