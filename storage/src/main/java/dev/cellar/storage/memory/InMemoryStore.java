package dev.cellar.storage.memory;

import dev.cellar.storage.ObjectExistsException;
import dev.cellar.storage.ObjectInfo;
import dev.cellar.storage.ObjectKey;
import dev.cellar.storage.ObjectNotFoundException;
import dev.cellar.storage.ObjectPage;
import dev.cellar.storage.ObjectStore;
import dev.cellar.storage.OverwritePolicy;
import dev.cellar.storage.PutContent;
import dev.cellar.storage.StorageErrors;
import dev.cellar.storage.StoreFeature;
import dev.cellar.storage.WriteOptions;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * An {@link ObjectStore} in the JVM's heap with the same semantics as the real stores (it passes
 * the same contract test): a fake of Cellar's own SPI for other modules' tests. Nothing survives
 * the JVM. Thread-safe; objects are limited to 2 GiB each.
 */
public final class InMemoryStore implements ObjectStore {
    private record Entry(byte[] bytes, String sha256, Instant lastModified) {
    }

    private final String name;
    private final InstantSource clock;
    private final ConcurrentSkipListMap<String, Entry> objects = new ConcurrentSkipListMap<>(ObjectKey.ORDER);

    /** A store named {@code memory} on the system clock. */
    public InMemoryStore() {
        this("memory", InstantSource.system());
    }

    /**
     * @param name shown in messages, to tell several stores apart
     * @param clock gives {@link ObjectInfo#lastModified()} of each put
     */
    public InMemoryStore(String name, InstantSource clock) {
        this.name = Objects.requireNonNull(name, "name");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    @Override
    public String describe() {
        return "in-memory store " + name;
    }

    @Override
    public Set<StoreFeature> features() {
        return EnumSet.of(StoreFeature.RANGED_READ, StoreFeature.STORED_SHA256);
    }

    @Override
    public ObjectInfo put(ObjectKey key, InputStream content, WriteOptions options) {
        Objects.requireNonNull(content, "content");
        boolean failIfExists = options.overwrite() == OverwritePolicy.FAIL_IF_EXISTS;
        if (failIfExists && objects.containsKey(key.value())) {
            throw new ObjectExistsException(key, describe());
        }
        Entry entry;
        try {
            PutContent checked = new PutContent(content, options);
            byte[] bytes = checked.stream().readAllBytes();
            checked.checkComplete();
            entry = new Entry(bytes, checked.sha256(), clock.instant());
        } catch (IOException | RuntimeException e) {
            throw StorageErrors.writeFailed(key, describe(), e);
        }
        if (failIfExists) {
            if (objects.putIfAbsent(key.value(), entry) != null) {
                throw new ObjectExistsException(key, describe());
            }
        } else {
            objects.put(key.value(), entry);
        }
        return info(key.value(), entry);
    }

    @Override
    public InputStream get(ObjectKey key) {
        return new ByteArrayInputStream(entry(key).bytes());
    }

    @Override
    public InputStream get(ObjectKey key, long offset, long length) {
        if (offset < 0 || length < 0) {
            throw new IllegalArgumentException("offset and length must not be negative: " + offset + ", " + length);
        }
        byte[] bytes = entry(key).bytes();
        int from = (int) Math.min(offset, bytes.length);
        return new ByteArrayInputStream(bytes, from, (int) Math.min(length, bytes.length - from));
    }

    @Override
    public Optional<ObjectInfo> head(ObjectKey key) {
        return Optional.ofNullable(objects.get(key.value())).map(entry -> info(key.value(), entry));
    }

    @Override
    public ObjectPage list(String prefix, Optional<String> startAfter, int pageSize) {
        ObjectKey.checkPrefix(prefix);
        ObjectPage.checkPageSize(pageSize);
        // Keys with a common prefix are contiguous in code-point order, starting at the prefix.
        NavigableMap<String, Entry> tail = startAfter.isPresent() && ObjectKey.ORDER.compare(startAfter.get(), prefix) >= 0
                ? objects.tailMap(startAfter.get(), false)
                : objects.tailMap(prefix, true);
        List<ObjectInfo> page = new ArrayList<>();
        for (Map.Entry<String, Entry> object : tail.entrySet()) {
            if (!object.getKey().startsWith(prefix)) {
                break;
            }
            if (page.size() == pageSize) {
                return new ObjectPage(page, Optional.of(page.get(pageSize - 1).key().value()));
            }
            page.add(info(object.getKey(), object.getValue()));
        }
        return new ObjectPage(page, Optional.empty());
    }

    @Override
    public void delete(ObjectKey key) {
        objects.remove(key.value());
    }

    private Entry entry(ObjectKey key) {
        Entry entry = objects.get(key.value());
        if (entry == null) {
            throw new ObjectNotFoundException(key, describe());
        }
        return entry;
    }

    private static ObjectInfo info(String key, Entry entry) {
        return new ObjectInfo(ObjectKey.of(key), entry.bytes().length, Optional.of(entry.sha256()), entry.lastModified());
    }
}
