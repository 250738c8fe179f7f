package dev.cellar.core.wal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cellar.core.Lsn;
import dev.cellar.core.WalSegmentName;
import dev.cellar.core.WalSegmentSize;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;
import java.util.zip.GZIPInputStream;

/**
 * The WAL of one PostgreSQL major in {@code resources/dev/cellar/core/wal/targets/pgNN/}: consecutive
 * 1 MiB segments (gzip) and {@code expected.properties}, what the server said while writing them
 * (see the README there).
 */
record TargetFixture(int major, Properties expected, List<WalSegmentName> segments) {

    static final WalSegmentSize MB1 = WalSegmentSize.of(1 << 20);

    static TargetFixture load(int major) {
        Properties expected = new Properties();
        try (InputStream in = resource(major, "expected.properties")) {
            expected.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<WalSegmentName> segments = Arrays.stream(expected.getProperty("segments").split(","))
                .map(name -> WalSegmentName.parse(name, MB1)).toList();
        return new TargetFixture(major, expected, segments);
    }

    String get(String key) {
        String value = expected.getProperty(key);
        assertThat(value).as("%s in pg%d/expected.properties", key, major).isNotNull();
        return value;
    }

    boolean has(String key) {
        return expected.containsKey(key);
    }

    long number(String key) {
        return Long.parseLong(get(key));
    }

    Lsn lsn(String key) {
        return Lsn.parse(get(key));
    }

    Instant instant(String key) {
        long micros = number(key);
        return Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1_000L);
    }

    /** The segment's bytes, uncompressed. */
    byte[] bytes(int index) {
        try (InputStream in = stream(index)) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The segment as a stream, uncompressed on the fly. */
    InputStream stream(int index) throws IOException {
        return new GZIPInputStream(resource(major, segments.get(index).fileName() + ".gz"));
    }

    /** Another file of the fixture, uncompressed if it ends in .gz. */
    byte[] file(String name) {
        try (InputStream in = name.endsWith(".gz") ? new GZIPInputStream(resource(major, name)) : resource(major, name)) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static InputStream resource(int major, String name) {
        InputStream in = TargetFixture.class.getResourceAsStream("targets/pg%d/%s".formatted(major, name));
        assertThat(in).as("targets/pg%d/%s", major, name).isNotNull();
        return in;
    }

    static InputStream of(byte[] bytes) {
        return new ByteArrayInputStream(bytes);
    }
}
