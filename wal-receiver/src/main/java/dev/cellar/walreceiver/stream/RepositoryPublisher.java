package dev.cellar.walreceiver.stream;

import dev.cellar.core.WalSegmentName;
import dev.cellar.storage.codec.Codec;
import dev.cellar.storage.repository.Repository;
import dev.cellar.walreceiver.segment.SegmentPublisher;
import java.io.InputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Publishes finished segments into the repository and tells the listener. */
final class RepositoryPublisher implements SegmentPublisher {
    private static final Logger log = LoggerFactory.getLogger(RepositoryPublisher.class);

    private final Repository repository;
    private final String cluster;
    private final Codec codec;
    private final WalStreamListener listener;

    RepositoryPublisher(Repository repository, String cluster, Codec codec, WalStreamListener listener) {
        this.repository = repository;
        this.cluster = cluster;
        this.codec = codec;
        this.listener = listener;
    }

    @Override
    public void publish(WalSegmentName segment, boolean partial, InputStream content, long length, String sha256) {
        var existingPartial = partial ? repository.findWal(cluster, segment, true) : java.util.Optional.<dev.cellar.storage.repository.StoredWal>empty();
        if (existingPartial.isPresent()) {
            // The end of a timeline can be received twice: from the old primary (possibly with WAL
            // past the switch point that the new timeline abandoned) and again after reconnecting.
            // Objects are never replaced: keep the first copy, and tell the listener again (a
            // crash may have come between storing it and cataloguing it).
            log.info("cluster {}: partial segment {} of timeline {} is already archived; keeping the first copy",
                    cluster, segment.fileName(), segment.timeline());
            listener.segmentArchived(cluster, new Repository.WalPut(existingPartial.get(), java.util.Optional.empty(), true));
            return;
        }
        Repository.WalPut put = repository.putWal(cluster, segment, partial, content, length, sha256, codec);
        listener.segmentArchived(cluster, put);
    }
}
