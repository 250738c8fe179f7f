package dev.cellar.storage.backup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class StreamPipeTest {
    @Test
    void passesBytesInOrderThroughATinyRingAtAnySizes() throws Exception {
        byte[] data = new byte[200_000];
        new Random(7).nextBytes(data);
        StreamPipe pipe = new StreamPipe(37);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread writer = Thread.ofPlatform().start(() -> {
            Random sizes = new Random(8);
            try {
                for (int at = 0; at < data.length; ) {
                    int n = Math.min(data.length - at, sizes.nextInt(100));
                    pipe.write(ByteBuffer.wrap(data, at, n));
                    at += n;
                }
                pipe.closeWrite();
            } catch (Throwable t) {
                failure.set(t);
            }
        });
        ByteArrayOutputStream received = new ByteArrayOutputStream();
        InputStream in = pipe.input();
        Random sizes = new Random(9);
        byte[] buffer = new byte[100];
        for (int n; (n = in.read(buffer, 0, 1 + sizes.nextInt(99))) >= 0; ) {
            received.write(buffer, 0, n);
        }
        writer.join();
        assertThat(failure.get()).isNull();
        assertThat(received.toByteArray()).isEqualTo(data);
        assertThat(pipe.written()).isEqualTo(data.length);
        assertThat(in.read()).isEqualTo(-1);
    }

    @Test
    void aFullPipeBlocksTheWriterUntilItIsBroken() throws Exception {
        StreamPipe pipe = new StreamPipe(10);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread writer = Thread.ofPlatform().start(() -> {
            try {
                pipe.write(ByteBuffer.allocate(25));
            } catch (Throwable t) {
                failure.set(t);
            }
        });
        await().atMost(Duration.ofSeconds(30)).until(() -> writer.getState() == Thread.State.WAITING);
        assertThat(pipe.written()).isEqualTo(10);
        pipe.breakPipe("the parser failed");
        writer.join();
        assertThat(failure.get()).isInstanceOf(StreamPipe.BrokenPipeException.class).hasMessage("the parser failed");
        assertThatThrownBy(() -> pipe.input().read()).isInstanceOf(IOException.class).hasMessage("the parser failed");
    }

    @Test
    void anEmptyPipeBlocksTheReaderUntilItIsBroken() throws Exception {
        StreamPipe pipe = new StreamPipe(10);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread reader = Thread.ofPlatform().start(() -> {
            try {
                pipe.input().read(new byte[5]);
            } catch (Throwable t) {
                failure.set(t);
            }
        });
        await().atMost(Duration.ofSeconds(30)).until(() -> reader.getState() == Thread.State.WAITING);
        pipe.breakPipe("aborted");
        reader.join();
        assertThat(failure.get()).isInstanceOf(StreamPipe.BrokenPipeException.class).hasMessage("aborted");
    }
}
