package dev.cellar.storage.backup;

import dev.cellar.storage.ForwardingStore;
import dev.cellar.storage.ObjectInfo;
import dev.cellar.storage.ObjectKey;
import dev.cellar.storage.ObjectStore;
import dev.cellar.storage.WriteOptions;
import java.io.InputStream;
import java.util.function.Consumer;

/** Another store with a hook run before every put: to fail or block chosen puts. */
final class HookedStore extends ForwardingStore {
    private volatile Consumer<ObjectKey> beforePut = key -> { };

    HookedStore(ObjectStore delegate) {
        super(delegate);
    }

    void beforePut(Consumer<ObjectKey> hook) {
        this.beforePut = hook;
    }

    @Override
    public ObjectInfo put(ObjectKey key, InputStream content, WriteOptions options) {
        beforePut.accept(key);
        return delegate.put(key, content, options);
    }
}
