package dev.cellar.walreceiver.segment;

import dev.cellar.core.CellarException;
import dev.cellar.core.WalPageHeader;
import dev.cellar.core.WalPageMagic;
import dev.cellar.core.WalSegmentName;
import dev.cellar.core.WalSegmentSize;
import dev.cellar.core.WalSegmentValidator;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Finds how much of an interrupted spool file is WAL: whole pages from the start whose headers
 * belong to this segment (known magic, page address, the system identifier on the first page),
 * stopping at the first zero-filled page or foreign header. The spool file is sparse, so pages
 * never written read as zeros.
 */
final class SpoolSalvage {
    private SpoolSalvage() {
    }

    static long validPrefix(Path file, WalSegmentName segment, long systemIdentifier, WalSegmentSize size)
            throws IOException {
        int block = WalSegmentValidator.DEFAULT_BLOCK_SIZE;
        ByteBuffer page = ByteBuffer.allocate(block).order(ByteOrder.LITTLE_ENDIAN);
        long valid = 0;
        try (FileChannel in = FileChannel.open(file, StandardOpenOption.READ)) {
            long length = Math.min(in.size(), size.bytes());
            for (long at = 0; at + block <= length; at += block) {
                page.clear();
                while (page.hasRemaining() && in.read(page, at + page.position()) >= 0) {
                    // read the whole page
                }
                page.flip();
                if (isZero(page) || !belongs(page, segment, at, systemIdentifier)) {
                    break;
                }
                valid = at + block;
            }
        }
        return valid;
    }

    private static boolean belongs(ByteBuffer page, WalSegmentName segment, long offset, long systemIdentifier) {
        try {
            WalPageHeader header = WalPageHeader.parse(page.duplicate().order(ByteOrder.LITTLE_ENDIAN));
            boolean knownMagic = WalPageMagic.majorForMagic(header.magic()).isPresent();
            boolean rightAddress = header.pageAddress().equals(segment.startLsn().plus(offset));
            boolean rightCluster = offset != 0 || header.longHeader()
                    .map(l -> l.systemIdentifier() == systemIdentifier).orElse(false);
            return knownMagic && rightAddress && rightCluster;
        } catch (CellarException | IllegalArgumentException e) {
            return false;
        }
    }

    private static boolean isZero(ByteBuffer page) {
        for (int i = page.position(); i < page.limit(); i++) {
            if (page.get(i) != 0) {
                return false;
            }
        }
        return true;
    }
}
