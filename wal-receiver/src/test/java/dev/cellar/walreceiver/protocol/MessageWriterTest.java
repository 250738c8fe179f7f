package dev.cellar.walreceiver.protocol;

import static dev.cellar.walreceiver.protocol.WireBytes.hex;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Frontend messages against bytes written by hand from the protocol's message formats. */
class MessageWriterTest {
    private final ByteArrayOutputStream sent = new ByteArrayOutputStream();
    private final MessageWriter writer = new MessageWriter(sent);

    @Test
    void startupMessageForAPhysicalReplicationLogin() throws IOException {
        Map<String, String> parameters = new LinkedHashMap<>();
        parameters.put("user", "u");
        parameters.put("replication", "true");

        writer.startupMessage(parameters);
        writer.flush();

        // int32 length 33, int32 196608 (3.0), "user\0u\0replication\0true\0", final \0
        assertThat(sent.toByteArray()).isEqualTo(hex("""
                00 00 00 21  00 03 00 00
                75 73 65 72 00  75 00
                72 65 70 6c 69 63 61 74 69 6f 6e 00  74 72 75 65 00
                00"""));
    }

    @Test
    void sslRequestIsEightBytesWithTheMagicCode() throws IOException {
        writer.sslRequest();
        writer.flush();

        // 80877103 = 0x04D2162F: 1234 in the high half, 5679 in the low half
        assertThat(sent.toByteArray()).isEqualTo(hex("00 00 00 08 04 d2 16 2f"));
    }

    @Test
    void cancelRequestQuotesProcessAndKey() throws IOException {
        writer.cancelRequest(0x1234, new byte[] {1, 2, 3, 4});
        writer.flush();

        assertThat(sent.toByteArray()).isEqualTo(hex("00 00 00 10 04 d2 16 2e 00 00 12 34 01 02 03 04"));
    }

    @Test
    void queryIsATerminatedString() throws IOException {
        writer.query("IDENTIFY_SYSTEM");
        writer.flush();

        assertThat(sent.toByteArray()).isEqualTo(WireBytes.create().byte1('Q').int32(20).cString("IDENTIFY_SYSTEM").toByteArray());
        assertThat(sent.toByteArray()).startsWith(hex("51 00 00 00 14 49 44"));
    }

    @Test
    void copyMessagesAndTerminate() throws IOException {
        writer.copyData(ByteBuffer.wrap(new byte[] {1, 2, 3}));
        writer.copyData(new byte[] {9, 4, 5, 9}, 1, 2);
        writer.copyDone();
        writer.copyFail("x");
        writer.terminate();
        writer.flush();

        assertThat(sent.toByteArray()).isEqualTo(hex("""
                64 00 00 00 07 01 02 03
                64 00 00 00 06 04 05
                63 00 00 00 04
                66 00 00 00 06 78 00
                58 00 00 00 04"""));
    }

    @Test
    void copyDataLeavesTheCallersBufferPositionAlone() throws IOException {
        ByteBuffer payload = ByteBuffer.wrap(new byte[] {7, 8, 9});
        payload.position(1);

        writer.copyData(payload);
        writer.flush();

        assertThat(payload.position()).isEqualTo(1);
        assertThat(sent.toByteArray()).isEqualTo(hex("64 00 00 00 06 08 09"));
    }

    @Test
    void largeCopyDataGoesStraightToTheStreamAfterWhatIsBuffered() throws IOException {
        byte[] big = new byte[100_000];
        Arrays.fill(big, (byte) 0x5A);
        writer.copyDone();

        writer.copyData(ByteBuffer.wrap(big));

        byte[] bytes = sent.toByteArray(); // no flush needed: the large write flushed
        assertThat(bytes).hasSize(5 + 5 + big.length);
        assertThat(Arrays.copyOfRange(bytes, 0, 10)).isEqualTo(hex("63 00 00 00 04 64 00 01 86 a4"));
        assertThat(Arrays.copyOfRange(bytes, 10, bytes.length)).isEqualTo(big);
    }

    @Test
    void largeCopyDataFromADirectBufferIsSentInPieces() throws IOException {
        ByteBuffer direct = ByteBuffer.allocateDirect(20_000);
        for (int i = 0; i < direct.capacity(); i++) {
            direct.put((byte) i);
        }
        direct.flip();

        writer.copyData(direct);

        byte[] bytes = sent.toByteArray();
        assertThat(Arrays.copyOfRange(bytes, 0, 5)).isEqualTo(hex("64 00 00 4e 24"));
        byte[] expected = new byte[20_000];
        direct.duplicate().get(expected);
        assertThat(Arrays.copyOfRange(bytes, 5, bytes.length)).isEqualTo(expected);
        assertThat(direct.position()).isZero();
    }

    @Test
    void passwordAndSaslMessagesFlushAtOnce() throws IOException {
        writer.passwordMessage("md5abc".getBytes(StandardCharsets.US_ASCII));
        assertThat(sent.toByteArray()).isEqualTo(WireBytes.create().byte1('p').int32(11).cString("md5abc").toByteArray());
        sent.reset();

        writer.saslInitialResponse("SCRAM-SHA-256", "n,,n=*,r=abc".getBytes(StandardCharsets.US_ASCII));
        assertThat(sent.toByteArray()).isEqualTo(WireBytes.create().byte1('p').int32(4 + 14 + 4 + 12)
                .cString("SCRAM-SHA-256").int32(12).bytes("n,,n=*,r=abc".getBytes(StandardCharsets.US_ASCII)).toByteArray());
        sent.reset();

        writer.saslResponse(new byte[] {'c', '='});
        assertThat(sent.toByteArray()).isEqualTo(hex("70 00 00 00 06 63 3d"));
        assertThat(writer.buffered()).isZero();
    }

    @Test
    void stringsWithNulAreRefused() {
        assertThatThrownBy(() -> writer.query("SHOW a\0b"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("NUL");
    }
}
