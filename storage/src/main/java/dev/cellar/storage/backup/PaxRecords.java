package dev.cellar.storage.backup;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * The records of a pax extended header ({@code "<length> <key>=<value>\n"}, POSIX.1-2001) with
 * their values as raw bytes. A later record for the same key wins, as in commons-compress.
 */
final class PaxRecords {
    private final Map<String, byte[]> values;

    private PaxRecords(Map<String, byte[]> values) {
        this.values = values;
    }

    /** The raw value of {@code key}, or null. */
    byte[] value(String key) {
        return values.get(key);
    }

    /** @throws TarReader.TarFormatException when the header is not a sequence of pax records */
    static PaxRecords parse(byte[] bytes) throws TarReader.TarFormatException {
        Map<String, byte[]> values = new HashMap<>();
        int at = 0;
        while (at < bytes.length) {
            if (bytes[at] == 0) {
                break; // padding some writers leave after the last record
            }
            int space = at;
            long length = 0;
            while (space < bytes.length && bytes[space] >= '0' && bytes[space] <= '9' && space - at < 10) {
                length = length * 10 + (bytes[space] - '0');
                space++;
            }
            if (space == at || space >= bytes.length || bytes[space] != ' ' || length <= space - at + 1
                    || at + length > bytes.length || bytes[(int) (at + length - 1)] != '\n') {
                throw new TarReader.TarFormatException("malformed pax extended header at offset " + at);
            }
            int end = (int) (at + length - 1);
            int equals = space + 1;
            while (equals < end && bytes[equals] != '=') {
                equals++;
            }
            if (equals == end || equals == space + 1) {
                throw new TarReader.TarFormatException("malformed pax extended header record at offset " + at);
            }
            String key = new String(bytes, space + 1, equals - space - 1, StandardCharsets.UTF_8);
            values.put(key, Arrays.copyOfRange(bytes, equals + 1, end));
            at = end + 1;
        }
        return new PaxRecords(values);
    }
}
