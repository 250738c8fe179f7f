package dev.cellar.storage.backup;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * Hand-made tar records, for what commons-compress refuses to write (absolute names, '..',
 * devices, hard links, damaged checksums, smuggling pax and GNU headers, truncation).
 */
final class RawTar {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    RawTar entry(String name, char type, String link, byte[] content) {
        return entry(utf8(name), type, utf8(link), content);
    }

    RawTar file(String name, byte[] content) {
        return entry(name, '0', "", content);
    }

    RawTar entry(byte[] name, char type, byte[] link, byte[] content) {
        out.writeBytes(header(name, (byte) type, link, content.length, 0600, TarBuilder.MTIME));
        return data(content);
    }

    /** Raw bytes, e.g. a header whose size field lies, or garbage. */
    RawTar raw(byte[] bytes) {
        out.writeBytes(bytes);
        return this;
    }

    /** Content padded to the next 512-byte record. */
    RawTar data(byte[] content) {
        out.writeBytes(content);
        int pad = (512 - content.length % 512) % 512;
        out.writeBytes(new byte[pad]);
        return this;
    }

    /** A pax header ('x' for the next entry, 'g' global) with these records. */
    RawTar pax(char type, Map<String, byte[]> records) {
        ByteArrayOutputStream content = new ByteArrayOutputStream();
        records.forEach((key, value) -> {
            int base = key.length() + value.length + 3; // ' ', '=', '\n'
            int length = base + Integer.toString(base).length();
            if (Integer.toString(length).length() != Integer.toString(base).length()) {
                length++;
            }
            content.writeBytes(utf8(length + " " + key + "="));
            content.writeBytes(value);
            content.write('\n');
        });
        return entry(utf8("PaxHeaders/x"), type, new byte[0], content.toByteArray());
    }

    /** A GNU long name ('L') or long link ('K') header carrying {@code value}. */
    RawTar gnuLong(char type, byte[] value) {
        byte[] content = new byte[value.length + 1];
        System.arraycopy(value, 0, content, 0, value.length);
        return entry(utf8("././@LongLink"), type, new byte[0], content);
    }

    /** The end-of-archive marker: two zero records. */
    RawTar end() {
        out.writeBytes(new byte[1024]);
        return this;
    }

    byte[] bytes() {
        return out.toByteArray();
    }

    /** A ustar header with a correct checksum. Names longer than 100 bytes are cut. */
    static byte[] header(byte[] name, byte type, byte[] link, long size, int mode, long mtime) {
        byte[] h = new byte[512];
        System.arraycopy(name, 0, h, 0, Math.min(name.length, 100));
        octal(h, 100, 8, mode);
        octal(h, 108, 8, 0);
        octal(h, 116, 8, 0);
        octal(h, 124, 12, size);
        octal(h, 136, 12, mtime);
        h[156] = type;
        System.arraycopy(link, 0, h, 157, Math.min(link.length, 100));
        System.arraycopy(utf8("ustar\0"), 0, h, 257, 6);
        h[263] = '0';
        h[264] = '0';
        System.arraycopy(utf8("postgres"), 0, h, 265, 8);
        System.arraycopy(utf8("postgres"), 0, h, 297, 8);
        setChecksum(h);
        return h;
    }

    static void setChecksum(byte[] h) {
        for (int i = 148; i < 156; i++) {
            h[i] = ' ';
        }
        long sum = 0;
        for (byte b : h) {
            sum += b & 0xff;
        }
        byte[] digits = utf8("%06o".formatted(sum));
        System.arraycopy(digits, 0, h, 148, 6);
        h[154] = 0;
        h[155] = ' ';
    }

    private static void octal(byte[] h, int offset, int length, long value) {
        byte[] digits = utf8(("%0" + (length - 1) + "o").formatted(value));
        System.arraycopy(digits, 0, h, offset, length - 1);
        h[offset + length - 1] = 0;
    }
}
