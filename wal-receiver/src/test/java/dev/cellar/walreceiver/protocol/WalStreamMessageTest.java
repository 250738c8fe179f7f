package dev.cellar.walreceiver.protocol;

import static dev.cellar.walreceiver.protocol.WireBytes.hex;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cellar.core.CellarException;
import dev.cellar.core.ErrorCode;
import dev.cellar.core.Lsn;
import dev.cellar.walreceiver.protocol.WalStreamMessage.PrimaryKeepalive;
import dev.cellar.walreceiver.protocol.WalStreamMessage.XLogData;
import java.nio.ByteBuffer;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The streaming CopyData payloads ('w', 'k', 'r'): big-endian, timestamps in µs since 2000-01-01. */
class WalStreamMessageTest {

    @Test
    void xLogDataHeaderAndPayload() {
        ByteBuffer payload = ByteBuffer.wrap(hex("""
                77
                00 00 00 01 00 00 00 28
                00 00 00 01 00 00 10 00
                00 00 00 00 00 0f 42 40
                aa bb cc"""));

        XLogData data = (XLogData) WalStreamMessage.parse(payload);

        assertThat(data.dataStart()).isEqualTo(Lsn.parse("1/28"));
        assertThat(data.walEnd()).isEqualTo(Lsn.parse("1/1000"));
        assertThat(data.sendTime()).isEqualTo(Instant.parse("2000-01-01T00:00:01Z"));
        assertThat(data.data().remaining()).isEqualTo(3);
        assertThat(data.data().get(0)).isEqualTo((byte) 0xAA);
        assertThat(data.dataEnd()).isEqualTo(Lsn.parse("1/2B"));
        assertThat(payload.position()).isZero();
    }

    @Test
    void keepaliveWithReplyRequested() {
        PrimaryKeepalive keepalive = (PrimaryKeepalive) WalStreamMessage.parse(ByteBuffer.wrap(hex("""
                6b
                00 00 00 00 03 00 00 60
                ff ff ff ff ff ff ff ff
                01""")));

        assertThat(keepalive.walEnd()).isEqualTo(Lsn.parse("0/3000060"));
        assertThat(keepalive.replyRequested()).isTrue();
        assertThat(keepalive.sendTime()).isEqualTo(Instant.parse("1999-12-31T23:59:59.999999Z"));
    }

    @Test
    void standbyStatusUpdateIs34BigEndianBytes() {
        StandbyStatusUpdate update = StandbyStatusUpdate.of(Lsn.parse("0/3000060"), Lsn.parse("0/3000000"), Lsn.INVALID,
                Instant.parse("2000-01-02T00:00:00Z"), true);

        ByteBuffer encoded = update.encode();

        // 86400 s = 86_400_000_000 µs = 0x141DD76000
        assertThat(encoded.remaining()).isEqualTo(StandbyStatusUpdate.LENGTH);
        byte[] bytes = new byte[encoded.remaining()];
        encoded.get(bytes);
        assertThat(bytes).isEqualTo(hex("""
                72
                00 00 00 00 03 00 00 60
                00 00 00 00 03 00 00 00
                00 00 00 00 00 00 00 00
                00 00 00 14 1d d7 60 00
                01"""));
    }

    @Test
    void timestampsRoundTripAtMicrosecondPrecision() {
        Instant t = Instant.parse("2025-06-01T12:34:56.123456789Z");

        assertThat(PostgresTimestamps.toInstant(PostgresTimestamps.toMicros(t))).isEqualTo(Instant.parse("2025-06-01T12:34:56.123456Z"));
        assertThat(PostgresTimestamps.toMicros(Instant.parse("2000-01-01T00:00:00Z"))).isZero();
    }

    @Test
    void malformedStreamMessagesAreProtocolErrors() {
        assertThatThrownBy(() -> WalStreamMessage.parse(ByteBuffer.wrap(hex("6b 00"))))
                .isInstanceOf(CellarException.class)
                .hasMessageContaining("a keepalive of 2 bytes (expected 18)")
                .extracting(e -> ((CellarException) e).code()).isEqualTo(ErrorCode.PROTOCOL_ERROR);
        assertThatThrownBy(() -> WalStreamMessage.parse(ByteBuffer.wrap(hex("77 00 00"))))
                .hasMessageContaining("XLogData message of 3 bytes");
        assertThatThrownBy(() -> WalStreamMessage.parse(ByteBuffer.wrap(hex("71"))))
                .hasMessageContaining("unknown kind 'q'");
        assertThatThrownBy(() -> WalStreamMessage.parse(ByteBuffer.allocate(0)))
                .hasMessageContaining("empty");
    }
}
