package dev.cellar.walreceiver.segment;

import dev.cellar.core.WalSegmentName;
import java.io.InputStream;

/**
 * Where finished segments go: into the repository (and from there into the catalog, through the
 * server's listener). Called by {@link WalSegmentWriter} on the receiving thread, after the bytes are
 * fsynced in the spool and validated; the spool file is removed only after this returns.
 */
@FunctionalInterface
public interface SegmentPublisher {
    /**
     * Stores one segment durably. Must be idempotent: after a crash the same segment may be
     * published again (with the same bytes).
     *
     * @param partial whether {@code content} is only the valid prefix of the segment (end of a timeline)
     * @param content exactly {@code length} bytes of the segment, from its start
     */
    void publish(WalSegmentName segment, boolean partial, InputStream content, long length, String sha256);
}
