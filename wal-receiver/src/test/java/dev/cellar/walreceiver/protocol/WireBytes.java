package dev.cellar.walreceiver.protocol;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;

/** Test helper: writes protocol bytes by hand, the way the message formats page spells them. */
public final class WireBytes {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    public static WireBytes create() {
        return new WireBytes();
    }

    /** Bytes from hex pairs, blanks ignored: {@code hex("00 03 00 00")}. */
    public static byte[] hex(String pairs) {
        return HexFormat.of().parseHex(pairs.replace(" ", "").replace("\n", ""));
    }

    public WireBytes byte1(int b) {
        out.write(b);
        return this;
    }

    public WireBytes int16(int v) {
        out.write(v >>> 8);
        out.write(v);
        return this;
    }

    public WireBytes int32(int v) {
        out.write(v >>> 24);
        out.write(v >>> 16);
        out.write(v >>> 8);
        out.write(v);
        return this;
    }

    public WireBytes int64(long v) {
        return int32((int) (v >>> 32)).int32((int) v);
    }

    /** A C string: UTF-8 bytes and a NUL. */
    public WireBytes cString(String s) {
        out.writeBytes(s.getBytes(StandardCharsets.UTF_8));
        out.write(0);
        return this;
    }

    public WireBytes bytes(byte[] b) {
        out.writeBytes(b);
        return this;
    }

    public byte[] toByteArray() {
        return out.toByteArray();
    }

    /** A whole backend message: type, length (counting itself), body. */
    public static byte[] message(char type, byte[] body) {
        return create().byte1(type).int32(body.length + 4).bytes(body).toByteArray();
    }
}
