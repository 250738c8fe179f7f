package dev.cellar.core.wal;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * Builds the bytes of one WAL record the way xloginsert.c {@code XLogRecordAssemble} lays them out,
 * independently of the code under test: the 24-byte header, fragment headers (block headers with
 * image headers and relation, origin, top-level xid, main-data header), then images and block data
 * in block order, then the main data. {@link SyntheticWal} fills in {@code xl_prev} and the CRC.
 */
final class SyntheticRecord {

    private final int rmid;
    private final int info;
    private long xid;
    private final ByteArrayOutputStream headers = new ByteArrayOutputStream();
    private final List<byte[]> payloads = new ArrayList<>();
    private byte[] mainData = new byte[0];
    private boolean forceLongMainDataHeader;

    SyntheticRecord(int rmid, int info) {
        this.rmid = rmid;
        this.info = info;
    }

    SyntheticRecord xid(long xid) {
        this.xid = xid;
        return this;
    }

    /** A block reference; {@code image} may be null, {@code relation} null for BKPBLOCK_SAME_REL. */
    SyntheticRecord block(int id, int forkFlags, byte[] data, Image image, long[] relation, long blockNumber) {
        headers.write(id);
        headers.write(forkFlags);
        le16(data.length);
        if (image != null) {
            le16(image.bytes.length);
            le16(image.holeOffset);
            headers.write(image.info);
            if (image.storedHoleLength >= 0) {
                le16(image.storedHoleLength);
            }
            payloads.add(image.bytes);
        }
        if (relation != null) {
            for (long v : relation) {
                le32(v);
            }
        }
        le32(blockNumber);
        payloads.add(data);
        return this;
    }

    SyntheticRecord origin(int origin) {
        headers.write(WalRecordLayout.BLOCK_ID_ORIGIN);
        le16(origin);
        return this;
    }

    SyntheticRecord toplevelXid(long xid) {
        headers.write(WalRecordLayout.BLOCK_ID_TOPLEVEL_XID);
        le32(xid);
        return this;
    }

    SyntheticRecord mainData(byte[] data) {
        this.mainData = data;
        return this;
    }

    /** Writes even a short main data with XLR_BLOCK_ID_DATA_LONG, which the reader must accept. */
    SyntheticRecord longMainDataHeader() {
        this.forceLongMainDataHeader = true;
        return this;
    }

    /** Raw bytes appended to the fragment headers, for malformed records. */
    SyntheticRecord rawHeaderBytes(int... bytes) {
        for (int b : bytes) {
            headers.write(b);
        }
        return this;
    }

    /** The record with {@code xl_prev} and {@code xl_crc} zero. */
    byte[] bytes() {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes(headers.toByteArray());
        if (mainData.length > 255 || forceLongMainDataHeader) {
            body.write(WalRecordLayout.BLOCK_ID_DATA_LONG);
            body.writeBytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(mainData.length).array());
        } else if (mainData.length > 0) {
            body.write(WalRecordLayout.BLOCK_ID_DATA_SHORT);
            body.write(mainData.length);
        }
        payloads.forEach(body::writeBytes);
        body.writeBytes(mainData);
        byte[] rest = body.toByteArray();
        ByteBuffer record = ByteBuffer.allocate(WalRecordHeader.SIZE + rest.length).order(ByteOrder.LITTLE_ENDIAN);
        record.putInt(WalRecordHeader.SIZE + rest.length).putInt((int) xid).putLong(0).put((byte) info).put((byte) rmid)
                .putShort((short) 0).putInt(0).put(rest);
        return record.array();
    }

    private void le16(int v) {
        headers.write(v & 0xFF);
        headers.write((v >>> 8) & 0xFF);
    }

    private void le32(long v) {
        for (int i = 0; i < 4; i++) {
            headers.write((int) (v >>> (8 * i)) & 0xFF);
        }
    }

    /**
     * A full-page image as stored.
     *
     * @param storedHoleLength written after the image header (compressed image with a hole), or -1
     */
    record Image(byte[] bytes, int holeOffset, int info, int storedHoleLength) {
        /** An uncompressed image of a {@code blockSize} page with a hole at {@code holeOffset} of {@code holeLength}. */
        static Image withHole(int blockSize, int holeOffset, int holeLength) {
            return new Image(filled(blockSize - holeLength), holeOffset, BlockReference.BlockImage.HAS_HOLE, -1);
        }

        static Image full(int blockSize) {
            return new Image(filled(blockSize), 0, 0, -1);
        }

        static Image compressed(int length, int compressFlag, int holeOffset, int holeLength) {
            int info = compressFlag | (holeLength > 0 ? BlockReference.BlockImage.HAS_HOLE : 0);
            return new Image(filled(length), holeOffset, info, holeLength > 0 ? holeLength : -1);
        }

        Image applied() {
            return new Image(bytes, holeOffset, info | BlockReference.BlockImage.APPLY, storedHoleLength);
        }
    }

    static byte[] filled(int length) {
        byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++) {
            bytes[i] = (byte) (i * 31 + 7);
        }
        return bytes;
    }
}
