package dev.cellar.storage.local;

import dev.cellar.storage.ObjectExistsException;
import dev.cellar.storage.ObjectKey;
import dev.cellar.storage.WriteOptions;
import java.nio.file.Path;
import java.util.SplittableRandom;

/**
 * Child process of {@link LocalStoreCrashSafetyIT}: puts objects into a LocalStore for ever (new
 * keys with fail-if-exists, and replacements of a few fixed keys), announcing each put on stdout
 * before it starts, until it is killed.
 */
public final class CrashingWriterMain {
    private CrashingWriterMain() {
    }

    public static void main(String[] args) {
        Path root = Path.of(args[0]);
        long seed = Long.parseLong(args[1]);
        SplittableRandom random = new SplittableRandom(seed);
        LocalStore store = LocalStore.open(root);
        for (long i = 0; ; i++) {
            int size = 64 * 1024 + random.nextInt(4 * 1024 * 1024);
            long contentSeed = random.nextLong();
            boolean replace = random.nextInt(3) == 0;
            ObjectKey key = replace
                    ? ObjectKey.of("replaced/r" + random.nextInt(4))
                    : ObjectKey.of("objects/d" + random.nextInt(8) + "/s" + seed + "-" + i);
            System.out.println("begin " + key.value());
            System.out.flush();
            try {
                store.put(key, SelfDescribingContent.stream(size, contentSeed),
                        (replace ? WriteOptions.replace() : WriteOptions.failIfExists()).withExpectedSize(size));
            } catch (ObjectExistsException e) {
                // A key of an earlier (killed) run with the same seed: fine, it is whole or absent.
            }
            System.out.println("done " + key.value());
            System.out.flush();
        }
    }
}
