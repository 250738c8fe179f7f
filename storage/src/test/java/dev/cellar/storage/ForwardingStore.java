package dev.cellar.storage;

import java.io.InputStream;
import java.util.Optional;
import java.util.Set;

/** A store that forwards every call to another: tests override the calls they want to disturb. */
public abstract class ForwardingStore implements ObjectStore {
    protected final ObjectStore delegate;

    protected ForwardingStore(ObjectStore delegate) {
        this.delegate = delegate;
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
