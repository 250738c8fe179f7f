package dev.cellar.storage.backup;

import dev.cellar.storage.ObjectInfo;
import dev.cellar.storage.ObjectKey;
import dev.cellar.storage.ObjectPage;
import dev.cellar.storage.ObjectStore;
import dev.cellar.storage.StoreFeature;
import dev.cellar.storage.WriteOptions;
import java.io.InputStream;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

/** Another store with a hook run before every put: to fail or block chosen puts. */
final class HookedStore implements ObjectStore {
    private final ObjectStore delegate;
    private volatile Consumer<ObjectKey> beforePut = key -> { };

    HookedStore(ObjectStore delegate) {
        this.delegate = delegate;
    }

    void beforePut(Consumer<ObjectKey> hook) {
        this.beforePut = hook;
    }

    @Override
    public String describe() {
        return delegate.describe();
    }

    @Override
    public Set<StoreFeature> features() {
        return delegate.features();
    }

    @Override
    public ObjectInfo put(ObjectKey key, InputStream content, WriteOptions options) {
        beforePut.accept(key);
        return delegate.put(key, content, options);
    }

    @Override
    public InputStream get(ObjectKey key) {
        return delegate.get(key);
    }

    @Override
    public InputStream get(ObjectKey key, long offset, long length) {
        return delegate.get(key, offset, length);
    }

    @Override
    public Optional<ObjectInfo> head(ObjectKey key) {
        return delegate.head(key);
    }

    @Override
    public ObjectPage list(String prefix, Optional<String> startAfter, int pageSize) {
        return delegate.list(prefix, startAfter, pageSize);
    }

    @Override
    public void delete(ObjectKey key) {
        delegate.delete(key);
    }
}
