package dev.cellar.bench;

import dev.cellar.storage.ObjectKey;
import dev.cellar.storage.OverwritePolicy;
import dev.cellar.storage.WriteOptions;
import dev.cellar.storage.codec.Codec;
import dev.cellar.storage.codec.StoredObjectWriter;
import dev.cellar.storage.local.LocalStore;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import java.util.Locale;
import java.util.Random;
import java.util.stream.Stream;

/**
 * A rough micro-benchmark, not a test: zstd speed on WAL-like and table-like data, and what a
 * durable {@link LocalStore} put costs against a plain sequential write of the same bytes on the
 * same disk. Run from the test classpath:
 *
 * <pre>
 * java --enable-native-access=ALL-UNNAMED -cp storage/target/classes:storage/target/test-classes:$(cat cp.txt) \
 *     dev.cellar.storage.bench.StorageBench [codecMiB=64] [storeMiB=256] [dir=java.io.tmpdir]
 * </pre>
 *
 * Speeds are MiB of logical (uncompressed) bytes per second, single-threaded unless noted.
 */
public final class StorageBench {
    private static final int MIB = 1024 * 1024;
    private static final int SEGMENT = 16 * MIB;

    private StorageBench() {
    }

    public static void main(String[] args) throws IOException {
        int codecMiB = args.length > 0 ? Integer.parseInt(args[0]) : 64;
        int storeMiB = args.length > 1 ? Integer.parseInt(args[1]) : 256;
        Path dir = Path.of(args.length > 2 ? args[2] : System.getProperty("java.io.tmpdir"));

        byte[] wal = BenchData.walLike(codecMiB * MIB, 1);
        byte[] table = BenchData.tableLike(codecMiB * MIB, 2);
        compress(new Codec.Zstd(3, 0), wal); // warm up JIT and native code

        System.out.printf(Locale.ROOT, "%nzstd on %d MiB per data set (%d cores)%n", codecMiB, Runtime.getRuntime().availableProcessors());
        System.out.printf(Locale.ROOT, "%-12s %-12s %8s %14s %16s%n", "data", "codec", "ratio", "compress MiB/s", "decompress MiB/s");
        for (byte[] data : new byte[][] {wal, table}) {
            String name = data == wal ? "WAL-like" : "table-like";
            for (Codec codec : new Codec[] {new Codec.Zstd(1, 0), new Codec.Zstd(3, 0), new Codec.Zstd(6, 0), new Codec.Zstd(3, 2)}) {
                codecRow(name, codec, data);
            }
        }

        Path work = Files.createTempDirectory(dir, "cellar-bench-");
        try {
            storeRows(work, wal, storeMiB);
        } finally {
            deleteTree(work);
        }
    }

    private static void codecRow(String name, Codec codec, byte[] data) throws IOException {
        byte[][] compressed = new byte[1][];
        double compressSeconds = median(() -> {
            long start = System.nanoTime();
            compressed[0] = compress(codec, data);
            return seconds(start);
        });
        double decompressSeconds = median(() -> {
            long start = System.nanoTime();
            try (InputStream in = codec.wrap(new ByteArrayInputStream(compressed[0]))) {
                in.transferTo(OutputStream.nullOutputStream());
            }
            return seconds(start);
        });
        int workers = ((Codec.Zstd) codec).workers();
        System.out.printf(Locale.ROOT, "%-12s %-12s %8.2f %14.0f %16.0f%n", name, codec.spec() + (workers > 0 ? " w" + workers : ""),
                (double) data.length / compressed[0].length, data.length / (double) MIB / compressSeconds,
                data.length / (double) MIB / decompressSeconds);
    }

    private static byte[] compress(Codec codec, byte[] data) throws IOException {
        ByteArrayOutputStream stored = new ByteArrayOutputStream(data.length / 2);
        try (OutputStream out = codec.wrap(stored)) {
            for (int i = 0; i < data.length; i += 128 * 1024) {
                out.write(data, i, Math.min(128 * 1024, data.length - i));
            }
        }
        return stored.toByteArray();
    }

    /** The same bytes written several ways, each into a fresh directory on the same disk. */
    private static void storeRows(Path work, byte[] segmentSource, int totalMiB) throws IOException {
        int segments = Math.max(1, totalMiB * MIB / SEGMENT);
        byte[] segment = java.util.Arrays.copyOf(segmentSource, SEGMENT);
        double total = (double) segments * SEGMENT / MIB;
        System.out.printf(Locale.ROOT, "%nwriting %d x 16 MiB (%.0f MiB) of WAL-like data under %s, median of %d runs%n",
                segments, total, work, RUNS);
        System.out.printf(Locale.ROOT, "%-56s %8s%n", "method", "MiB/s");

        storeRow("SHA-256 alone, in memory (every put computes it)", total, work, directory -> {
            java.security.MessageDigest sha256 = dev.cellar.storage.io.Sha256.newDigest();
            for (int i = 0; i < segments; i++) {
                sha256.update(segment);
            }
            sha256.digest();
        });
        storeRow("raw sequential write, one fsync at the end (dd-style)", total, work, directory -> {
            try (FileChannel channel = FileChannel.open(directory.resolve("all"), StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                for (int i = 0; i < segments; i++) {
                    writeFully(channel, segment);
                }
                channel.force(true);
            }
        });
        storeRow("raw write, one file per segment, fsync each", total, work, directory -> {
            for (int i = 0; i < segments; i++) {
                try (FileChannel channel = FileChannel.open(directory.resolve("s" + i), StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                    writeFully(channel, segment);
                    channel.force(true);
                }
            }
        });
        storeRow("LocalStore.put (sha256, fsync, link, fsync dir)", total, work, directory -> {
            LocalStore store = LocalStore.open(directory);
            for (int i = 0; i < segments; i++) {
                store.put(ObjectKey.of("wal/00000001/" + i), new ByteArrayInputStream(segment),
                        WriteOptions.failIfExists().withExpectedSize(SEGMENT));
            }
        });
        for (Codec codec : new Codec[] {new Codec.Zstd(1, 0), new Codec.Zstd(3, 0)}) {
            storeRow("StoredObjectWriter " + codec.spec() + " into LocalStore.put", total, work, directory -> {
                StoredObjectWriter writer = new StoredObjectWriter(LocalStore.open(directory));
                for (int i = 0; i < segments; i++) {
                    writer.write(ObjectKey.of("wal/00000001/" + i + ".zst"), codec, new ByteArrayInputStream(segment),
                            OverwritePolicy.FAIL_IF_EXISTS, SEGMENT);
                }
            });
        }
    }

    private interface Run {
        void into(Path directory) throws IOException;
    }

    private interface Timed {
        double seconds() throws IOException;
    }

    private static final int RUNS = 3;

    private static void storeRow(String method, double mib, Path work, Run run) throws IOException {
        int[] attempt = {0};
        double seconds = median(() -> {
            Path directory = Files.createDirectory(work.resolve("run-" + attempt[0]++));
            try {
                long start = System.nanoTime();
                run.into(directory);
                return seconds(start);
            } finally {
                deleteTree(directory);
            }
        });
        System.out.printf(Locale.ROOT, "%-56s %8.0f%n", method, mib / seconds);
    }

    private static double median(Timed timed) throws IOException {
        double[] times = new double[RUNS];
        for (int i = 0; i < RUNS; i++) {
            times[i] = timed.seconds();
        }
        java.util.Arrays.sort(times);
        return times[RUNS / 2];
    }

    private static void writeFully(FileChannel channel, byte[] bytes) throws IOException {
        ByteBuffer buffer = ByteBuffer.wrap(bytes);
        while (buffer.hasRemaining()) {
            channel.write(buffer);
        }
    }

    private static double seconds(long start) {
        return (System.nanoTime() - start) / 1e9;
    }

    private static void deleteTree(Path root) throws IOException {
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }

    /** Synthetic data shaped like what Cellar stores. */
    static final class BenchData {
        private BenchData() {
        }

        /**
         * 8 KiB pages, each starting with a 24-byte page header, filled with records: a 24-byte
         * record header, then tuple data that is partly random (keys, new values) and partly
         * repeated (unchanged columns, zeroed holes of full-page images).
         */
        static byte[] walLike(int size, long seed) {
            Random random = new Random(seed);
            byte[] out = new byte[size];
            byte[] previousTuple = new byte[256];
            random.nextBytes(previousTuple);
            int position = 0;
            long lsn = 0x1_0000_0000L;
            while (position < size) {
                if (position % 8192 == 0) {
                    ByteBuffer header = ByteBuffer.wrap(out, position, Math.min(24, size - position));
                    header.putShort((short) 0xD118).putShort((short) 0x0005);
                    if (header.remaining() >= 20) {
                        header.putInt(1).putLong(lsn + position).putInt(0).putInt(0);
                    }
                    position += 24;
                    continue;
                }
                byte[] record = record(random, previousTuple, lsn + position);
                int n = Math.min(record.length, Math.min(size - position, 8192 - position % 8192));
                System.arraycopy(record, 0, out, position, n);
                position += n;
            }
            return out;
        }

        private static byte[] record(Random random, byte[] previousTuple, long lsn) {
            int randomPart = 16 + random.nextInt(120);
            int repeatedPart = random.nextInt(4) == 0 ? 200 + random.nextInt(1200) : 20 + random.nextInt(100);
            ByteBuffer record = ByteBuffer.allocate(24 + randomPart + repeatedPart);
            record.putInt(record.capacity()).putInt(random.nextInt(1_000_000)).putLong(lsn - 100)
                    .put((byte) 0x10).put((byte) 10).putShort((short) 0).putInt(random.nextInt());
            byte[] fresh = new byte[randomPart];
            random.nextBytes(fresh);
            record.put(fresh);
            boolean zeros = random.nextBoolean();
            for (int i = 0; i < repeatedPart; i++) {
                record.put(zeros ? 0 : previousTuple[i % previousTuple.length]);
            }
            System.arraycopy(fresh, 0, previousTuple, 0, Math.min(fresh.length, 32));
            return record.array();
        }

        /** Tab-separated rows of ids, names from a vocabulary, e-mail addresses, amounts, times, codes. */
        static byte[] tableLike(int size, long seed) {
            Random random = new Random(seed);
            String[] words = new String[4000];
            for (int i = 0; i < words.length; i++) {
                StringBuilder word = new StringBuilder();
                for (int j = 3 + random.nextInt(8); j > 0; j--) {
                    word.append((char) ('a' + random.nextInt(26)));
                }
                words[i] = word.toString();
            }
            ByteArrayOutputStream out = new ByteArrayOutputStream(size + 256);
            for (long id = 1; out.size() < size; id++) {
                String row = String.format(Locale.ROOT, "%d\t%s %s\t%s.%s@%s.example\t%d.%02d\t2026-%02d-%02d %02d:%02d:%02d\tORD-%06d\t%s%n",
                        id, words[skewed(random, words.length)], words[skewed(random, words.length)],
                        words[skewed(random, words.length)], words[random.nextInt(words.length)],
                        words[skewed(random, 50)], random.nextInt(100_000), random.nextInt(100),
                        1 + random.nextInt(12), 1 + random.nextInt(28), random.nextInt(24), random.nextInt(60), random.nextInt(60),
                        id / 3, random.nextInt(10) == 0 ? "refunded" : "paid");
                out.writeBytes(row.getBytes(StandardCharsets.US_ASCII));
            }
            return java.util.Arrays.copyOf(out.toByteArray(), size);
        }

        /** Small indexes far more often than large ones, as real values repeat. */
        private static int skewed(Random random, int bound) {
            double u = random.nextDouble();
            return (int) (bound * u * u * u * u);
        }
    }
}
