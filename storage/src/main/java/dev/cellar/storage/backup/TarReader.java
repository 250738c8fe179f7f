package dev.cellar.storage.backup;

import java.io.ByteArrayOutputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarUtils;

/**
 * commons-compress's tar parser, made strict for streams from the network:
 *
 * <ul>
 *   <li>names are decoded as ISO-8859-1, which maps bytes to characters one to one, so the raw
 *       bytes of every header name reach {@link ArchiveEntryPolicy} (commons-compress would turn
 *       bytes that are not UTF-8 into {@code ?});
 *   <li>the bytes of pax ({@code x}, {@code g}) and GNU long-name ({@code L}, {@code K}) headers
 *       are kept as they are read, so that the policy judges the name they really carry
 *       (commons-compress silently strips a leading {@code /} from them);
 *   <li>every header record must have a correct checksum (commons-compress only records it);
 *   <li>the stream must end with the end-of-archive marker (two zero records) followed by nothing
 *       but zero bytes; a stream that just stops is truncated.
 * </ul>
 *
 * Not thread-safe: the parser thread's alone.
 */
final class TarReader extends TarArchiveInputStream {
    /** The tar stream is damaged or uses a feature Cellar refuses; the message says which. */
    static final class TarFormatException extends IOException {
        private static final long serialVersionUID = 1L;

        TarFormatException(String message) {
            super(message);
        }
    }

    /** An entry as parsed: the header to judge and commons-compress's view of the rest. */
    record Entry(TarHeader header, TarArchiveEntry entry) {
    }

    private static final int RECORD = 512;
    private static final int MAX_EXTENSION_BYTES = 64 * 1024;

    /** Counts what the parser consumes and, after the end-of-archive record, checks it is zero. */
    private static final class Guard extends FilterInputStream {
        long offset;
        boolean afterEnd;
        long zerosAfterEnd;

        Guard(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] buffer, int off, int length) throws IOException {
            int n = in.read(buffer, off, length);
            if (n > 0) {
                if (afterEnd) {
                    for (int i = off; i < off + n; i++) {
                        if (buffer[i] != 0) {
                            throw new TarFormatException("non-zero data at byte " + (offset + i - off)
                                    + " after the end-of-archive marker");
                        }
                    }
                    zerosAfterEnd += n;
                }
                offset += n;
            }
            return n;
        }

        @Override
        public long skip(long n) throws IOException {
            byte[] scratch = new byte[(int) Math.min(8192, Math.max(n, 1))];
            long skipped = 0;
            while (skipped < n) {
                int r = read(scratch, 0, (int) Math.min(scratch.length, n - skipped));
                if (r < 0) {
                    break;
                }
                skipped += r;
            }
            return skipped;
        }

        @Override
        public boolean markSupported() {
            return false;
        }
    }

    /** The bytes of one extension header, in the order read. */
    private record Extension(TarArchiveEntry header, ByteArrayOutputStream bytes) {
    }

    private final Guard guard;
    private final List<Extension> extensions = new ArrayList<>();
    private int extensionBytes;
    private boolean sawEndMarker;

    private TarReader(Guard guard) {
        super(guard, StandardCharsets.ISO_8859_1.name());
        this.guard = guard;
    }

    static TarReader over(InputStream archive) {
        return new TarReader(new Guard(archive));
    }

    /** Bytes of the archive consumed so far. */
    long offset() {
        return guard.offset;
    }

    /**
     * The next entry, or null at the end of the archive (after checking the end is proper).
     *
     * @throws IOException when the stream is damaged, truncated or uses refused tar features
     */
    Entry next() throws IOException {
        extensions.clear();
        extensionBytes = 0;
        TarArchiveEntry entry = getNextEntry();
        if (entry == null) {
            checkEnd();
            return null;
        }
        byte[] name = entry.getName().getBytes(StandardCharsets.ISO_8859_1);
        byte[] link = entry.getLinkName().getBytes(StandardCharsets.ISO_8859_1);
        int paxCount = 0;
        int longNames = 0;
        int longLinks = 0;
        boolean paxName = false;
        for (Extension extension : extensions) {
            TarArchiveEntry header = extension.header();
            byte[] bytes = extension.bytes().toByteArray();
            if (header.isGlobalPaxHeader()) {
                PaxRecords global = PaxRecords.parse(bytes);
                if (global.value("path") != null || global.value("linkpath") != null) {
                    throw new TarFormatException("a global pax header sets a path or link path for every entry");
                }
            } else if (header.isPaxHeader()) {
                paxCount++;
                PaxRecords pax = PaxRecords.parse(bytes);
                if (pax.value("path") != null) {
                    name = pax.value("path");
                    paxName = true;
                }
                if (pax.value("linkpath") != null) {
                    link = pax.value("linkpath");
                }
            } else if (header.isGNULongNameEntry()) {
                longNames++;
                name = withoutTrailingNuls(bytes);
            } else if (header.isGNULongLinkEntry()) {
                longLinks++;
                link = withoutTrailingNuls(bytes);
            }
        }
        if (paxCount > 1 || longNames > 1 || longLinks > 1 || paxName && longNames > 0) {
            throw new TarFormatException("entry \"" + ArchiveEntryPolicy.printable(name)
                    + "\" is preceded by several extended headers that name it");
        }
        TarHeader header = new TarHeader(name, entry.getLinkFlag(), link, entry.getSize(), entry.isSparse());
        return new Entry(header, entry);
    }

    @Override
    protected byte[] readRecord() throws IOException {
        byte[] record = super.readRecord();
        if (record == null || sawEndMarker) {
            return record;
        }
        if (isZero(record)) {
            sawEndMarker = true;
            guard.afterEnd = true;
            return record;
        }
        TarArchiveEntry current = getCurrentEntry();
        boolean sparseExtension = current != null && current.isOldGNUSparse() && current.isExtended();
        if (!sparseExtension && !TarUtils.verifyCheckSum(record)) {
            throw new TarFormatException("the tar header at byte " + (guard.offset - RECORD)
                    + " has a wrong checksum (damaged or not a tar stream)");
        }
        return record;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
        int n = super.read(buffer, offset, length);
        if (n > 0) {
            TarArchiveEntry current = getCurrentEntry();
            if (current != null && (current.isPaxHeader() || current.isGlobalPaxHeader()
                    || current.isGNULongNameEntry() || current.isGNULongLinkEntry())) {
                capture(current, buffer, offset, n);
            }
        }
        return n;
    }

    private void capture(TarArchiveEntry header, byte[] buffer, int offset, int n) throws TarFormatException {
        extensionBytes += n;
        if (extensionBytes > MAX_EXTENSION_BYTES) {
            throw new TarFormatException("extended headers of more than " + MAX_EXTENSION_BYTES
                    + " bytes precede one entry");
        }
        if (extensions.isEmpty() || extensions.getLast().header() != header) {
            extensions.add(new Extension(header, new ByteArrayOutputStream()));
        }
        extensions.getLast().bytes().write(buffer, offset, n);
    }

    private void checkEnd() throws IOException {
        if (!extensions.isEmpty()) {
            throw new TarFormatException("the archive ends with an extended header that describes no entry");
        }
        if (!sawEndMarker) {
            throw new TarFormatException("the archive stops at byte " + guard.offset
                    + " without its end-of-archive marker (truncated stream)");
        }
        byte[] rest = new byte[8192];
        while (guard.read(rest, 0, rest.length) >= 0) {
            // Guard checks that everything after the marker is zero.
        }
        if (guard.zerosAfterEnd < RECORD) {
            throw new TarFormatException("the end-of-archive marker is incomplete: one zero record instead of two"
                    + " (truncated stream)");
        }
    }

    private static boolean isZero(byte[] record) {
        for (byte b : record) {
            if (b != 0) {
                return false;
            }
        }
        return true;
    }

    private static byte[] withoutTrailingNuls(byte[] bytes) {
        int length = bytes.length;
        while (length > 0 && bytes[length - 1] == 0) {
            length--;
        }
        return Arrays.copyOf(bytes, length);
    }
}
