package dev.cellar.core.backup;

/**
 * CRC-32C of a concatenation from the CRCs of its parts, so that pieces of one file written in
 * parallel (from different chunks) can be checked against the file's manifest checksum without
 * reading the file again. The method is zlib's {@code crc32_combine}: appending {@code n} zero
 * bits to a message is a linear operator on the CRC register, applied by squaring a 32×32 matrix
 * over GF(2) once per bit of {@code n}; here with the reflected Castagnoli polynomial
 * {@code 0x82F63B78}. Pure and thread-safe.
 */
public final class Crc32cCombination {
    private static final int POLYNOMIAL = 0x82F63B78;

    private Crc32cCombination() {
    }

    /**
     * The CRC-32C of {@code a || b}.
     *
     * @param crcA    CRC-32C of {@code a} (as {@link java.util.zip.CRC32C#getValue()} gives it, low 32 bits)
     * @param crcB    CRC-32C of {@code b}
     * @param lengthB bytes in {@code b}; 0 returns {@code crcA}
     */
    public static int combine(int crcA, int crcB, long lengthB) {
        if (lengthB < 0) {
            throw new IllegalArgumentException("negative length " + lengthB);
        }
        if (lengthB == 0) {
            return crcA;
        }
        int[] odd = new int[32];
        int[] even = new int[32];
        odd[0] = POLYNOMIAL; // the operator for one zero bit
        int row = 1;
        for (int n = 1; n < 32; n++) {
            odd[n] = row;
            row <<= 1;
        }
        square(even, odd); // two zero bits
        square(odd, even); // four zero bits
        int crc = crcA;
        long remaining = lengthB; // in bytes: the first squaring below gives the operator for one byte
        do {
            square(even, odd);
            if ((remaining & 1) != 0) {
                crc = times(even, crc);
            }
            remaining >>>= 1;
            if (remaining == 0) {
                break;
            }
            square(odd, even);
            if ((remaining & 1) != 0) {
                crc = times(odd, crc);
            }
            remaining >>>= 1;
        } while (remaining != 0);
        return crc ^ crcB;
    }

    /** {@code crc} as a backup manifest prints a CRC-32C: the little-endian memory image, 8 hex digits. */
    public static String manifestHex(int crc) {
        return "%08x".formatted(Integer.reverseBytes(crc));
    }

    private static int times(int[] matrix, int vector) {
        int sum = 0;
        for (int i = 0; vector != 0; i++, vector >>>= 1) {
            if ((vector & 1) != 0) {
                sum ^= matrix[i];
            }
        }
        return sum;
    }

    private static void square(int[] square, int[] matrix) {
        for (int n = 0; n < 32; n++) {
            square[n] = times(matrix, matrix[n]);
        }
    }
}
