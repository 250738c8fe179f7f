package dev.cellar.storage.memory;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cellar.storage.ObjectKey;
import dev.cellar.storage.ObjectStore;
import dev.cellar.storage.ObjectStoreContract;
import dev.cellar.storage.StoreFeature;
import dev.cellar.storage.WriteOptions;
import java.io.ByteArrayInputStream;
import java.time.Instant;
import java.time.InstantSource;
import org.junit.jupiter.api.Test;

class InMemoryStoreTest extends ObjectStoreContract {
    private static final Instant NOW = Instant.parse("2026-11-21T06:30:00Z");

    @Override
    protected ObjectStore newStore() {
        return new InMemoryStore("test", InstantSource.fixed(NOW));
    }

    @Test
    void objectsAreStampedWithTheGivenClock() {
        store.put(ObjectKey.of("a"), new ByteArrayInputStream(new byte[1]), WriteOptions.replace());

        assertThat(store.head(ObjectKey.of("a")).orElseThrow().lastModified()).isEqualTo(NOW);
    }

    @Test
    void itDescribesItselfAndDeclaresWhatItCan() {
        assertThat(store.describe()).isEqualTo("in-memory store test");
        assertThat(store.features()).containsExactlyInAnyOrder(StoreFeature.RANGED_READ, StoreFeature.STORED_SHA256);
    }
}
