package dev.cellar.walreceiver.protocol;

import static dev.cellar.walreceiver.protocol.WireBytes.hex;
import static dev.cellar.walreceiver.protocol.WireBytes.message;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cellar.core.CellarException;
import dev.cellar.core.ErrorCode;
import dev.cellar.walreceiver.protocol.BackendMessage.Authentication;
import dev.cellar.walreceiver.protocol.BackendMessage.BackendKeyData;
import dev.cellar.walreceiver.protocol.BackendMessage.CommandComplete;
import dev.cellar.walreceiver.protocol.BackendMessage.CopyData;
import dev.cellar.walreceiver.protocol.BackendMessage.CopyDirection;
import dev.cellar.walreceiver.protocol.BackendMessage.CopyDone;
import dev.cellar.walreceiver.protocol.BackendMessage.CopyResponse;
import dev.cellar.walreceiver.protocol.BackendMessage.DataRow;
import dev.cellar.walreceiver.protocol.BackendMessage.ErrorResponse;
import dev.cellar.walreceiver.protocol.BackendMessage.NegotiateProtocolVersion;
import dev.cellar.walreceiver.protocol.BackendMessage.ParameterStatus;
import dev.cellar.walreceiver.protocol.BackendMessage.ReadyForQuery;
import dev.cellar.walreceiver.protocol.BackendMessage.RowDescription;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** Backend messages from bytes written by hand, framing limits, and reads interrupted by timeouts. */
class MessageReaderTest {

    private static MessageReader reader(byte[]... messages) {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        for (byte[] m : messages) {
            all.writeBytes(m);
        }
        return new MessageReader(new ByteArrayInputStream(all.toByteArray()), 64);
    }

    @Test
    void errorResponseKeepsEveryField() throws IOException {
        byte[] body = WireBytes.create().byte1('S').cString("FATAL").byte1('V').cString("FATAL").byte1('C').cString("28P01")
                .byte1('M').cString("password authentication failed for user \"u\"").byte1('D').cString("some detail")
                .byte1('H').cString("some hint").byte1('R').cString("auth_failed").byte1(0).toByteArray();

        ErrorResponse error = (ErrorResponse) reader(message('E', body)).read();

        ServerDiagnostic d = error.diagnostic();
        assertThat(d.severity()).isEqualTo("FATAL");
        assertThat(d.sqlState()).isEqualTo("28P01");
        assertThat(d.message()).isEqualTo("password authentication failed for user \"u\"");
        assertThat(d.detail()).contains("some detail");
        assertThat(d.hint()).contains("some hint");
        assertThat(d.fields()).containsEntry('R', "auth_failed");
        assertThat(d.isFatal()).isTrue();
        assertThat(d).hasToString("FATAL 28P01: password authentication failed for user \"u\" (some detail)");
    }

    @Test
    void identifySystemResultSet() throws IOException {
        // RowDescription of IDENTIFY_SYSTEM on PostgreSQL 16+: text, int8, text, text columns
        byte[] rowDescription = message('T', WireBytes.create().int16(4)
                .cString("systemid").int32(0).int16(0).int32(25).int16(-1).int32(-1).int16(0)
                .cString("timeline").int32(0).int16(0).int32(20).int16(8).int32(-1).int16(0)
                .cString("xlogpos").int32(0).int16(0).int32(25).int16(-1).int32(-1).int16(0)
                .cString("dbname").int32(0).int16(0).int32(25).int16(-1).int32(-1).int16(0).toByteArray());
        byte[] dataRow = hex("""
                44 00 00 00 33 00 04
                00 00 00 13 37 33 30 31 32 33 34 35 36 37 38 39 30 31 32 33 34 35 36
                00 00 00 01 31
                00 00 00 09 30 2f 33 30 30 30 31 34 38
                ff ff ff ff""");
        byte[] complete = message('C', WireBytes.create().cString("IDENTIFY_SYSTEM").toByteArray());
        byte[] ready = hex("5a 00 00 00 05 49");
        MessageReader reader = reader(rowDescription, dataRow, complete, ready);

        RowDescription description = (RowDescription) reader.read();
        DataRow row = (DataRow) reader.read();

        assertThat(description.fields()).extracting(RowDescription.Field::name)
                .containsExactly("systemid", "timeline", "xlogpos", "dbname");
        assertThat(description.fields()).extracting(RowDescription.Field::typeOid).containsExactly(25, 20, 25, 25);
        assertThat(row.text(0)).isEqualTo("7301234567890123456");
        assertThat(row.text(1)).isEqualTo("1");
        assertThat(row.text(2)).isEqualTo("0/3000148");
        assertThat(row.values().get(3)).isNull();
        assertThat(reader.read()).isEqualTo(new CommandComplete("IDENTIFY_SYSTEM"));
        assertThat(reader.read()).isEqualTo(new ReadyForQuery('I'));
    }

    @Test
    void startupMessages() throws IOException {
        MessageReader reader = reader(
                hex("52 00 00 00 08 00 00 00 00"),
                message('R', WireBytes.create().int32(10).cString("SCRAM-SHA-256-PLUS").cString("SCRAM-SHA-256").byte1(0)
                        .toByteArray()),
                message('R', WireBytes.create().int32(5).bytes(hex("01 02 03 04")).toByteArray()),
                message('S', WireBytes.create().cString("in_hot_standby").cString("off").toByteArray()),
                hex("4b 00 00 00 0c 00 00 30 39 de ad be ef"),
                message('v', WireBytes.create().int32(0).int32(1).cString("_pq_.x").toByteArray()));

        assertThat(reader.read()).isEqualTo(new Authentication(0, new byte[0]));
        assertThat(((Authentication) reader.read()).saslMechanisms()).containsExactly("SCRAM-SHA-256-PLUS", "SCRAM-SHA-256");
        assertThat(((Authentication) reader.read()).data()).isEqualTo(hex("01 02 03 04"));
        assertThat(reader.read()).isEqualTo(new ParameterStatus("in_hot_standby", "off"));
        BackendKeyData key = (BackendKeyData) reader.read();
        assertThat(key.processId()).isEqualTo(12345);
        assertThat(key.secretKey()).isEqualTo(hex("de ad be ef"));
        assertThat(key.toString()).doesNotContain("-559038737").doesNotContain("dead");
        assertThat(reader.read()).isEqualTo(new NegotiateProtocolVersion(0, java.util.List.of("_pq_.x")));
    }

    @Test
    void copyBothResponseThenCopyDataAliasesTheBufferUntilTheNextRead() throws IOException {
        MessageReader reader = reader(hex("57 00 00 00 07 00 00 00"), hex("64 00 00 00 07 01 02 03"),
                hex("64 00 00 00 05 09"), hex("63 00 00 00 04"));

        assertThat(reader.read()).isEqualTo(new CopyResponse(CopyDirection.BOTH, false, java.util.List.of()));
        CopyData first = (CopyData) reader.read();
        byte[] copied = first.toByteArray();
        assertThat(copied).containsExactly(1, 2, 3);
        assertThat(first.payload().isReadOnly()).isTrue();

        assertThat(((CopyData) reader.read()).toByteArray()).containsExactly(9);
        assertThat(reader.read()).isInstanceOf(CopyDone.class);
        assertThat(copied).containsExactly(1, 2, 3);
    }

    @Test
    void messageLargerThanTheBufferIsReadIntoItsOwnArray() throws IOException {
        byte[] payload = new byte[1000];
        Arrays.fill(payload, (byte) 7);
        MessageReader reader = reader(message('d', payload), hex("63 00 00 00 04"));

        assertThat(((CopyData) reader.read()).toByteArray()).isEqualTo(payload);
        assertThat(reader.read()).isInstanceOf(CopyDone.class);
    }

    @Test
    void aTimeoutInTheMiddleOfAMessageLosesNothing() throws IOException {
        byte[] status = message('S', WireBytes.create().cString("application_name").cString("cellar").toByteArray());
        ScriptedInputStream in = new ScriptedInputStream()
                .timeout()
                .chunk(Arrays.copyOfRange(status, 0, 3))                  // inside the header
                .timeout()
                .chunk(Arrays.copyOfRange(status, 3, 10))                 // inside the body
                .timeout()
                .chunk(Arrays.copyOfRange(status, 10, status.length))
                .chunk(hex("5a 00 00 00 05 49"));
        MessageReader reader = new MessageReader(in, 64);

        for (int i = 0; i < 3; i++) {
            assertThatThrownBy(reader::read).isInstanceOf(SocketTimeoutException.class);
        }
        assertThat(reader.read()).isEqualTo(new ParameterStatus("application_name", "cellar"));
        assertThat(reader.read()).isEqualTo(new ReadyForQuery('I'));
    }

    @Test
    void aTimeoutInTheMiddleOfALargeMessageLosesNothing() throws IOException {
        byte[] payload = new byte[500];
        for (int i = 0; i < payload.length; i++) {
            payload[i] = (byte) i;
        }
        byte[] copyData = message('d', payload);
        ScriptedInputStream in = new ScriptedInputStream()
                .chunk(Arrays.copyOfRange(copyData, 0, 40))
                .timeout()
                .chunk(Arrays.copyOfRange(copyData, 40, 300))
                .timeout()
                .chunk(Arrays.copyOfRange(copyData, 300, copyData.length));
        MessageReader reader = new MessageReader(in, 64);

        assertThatThrownBy(reader::read).isInstanceOf(SocketTimeoutException.class);
        assertThatThrownBy(reader::read).isInstanceOf(SocketTimeoutException.class);
        assertThat(((CopyData) reader.read()).toByteArray()).isEqualTo(payload);
    }

    @Test
    void absurdLengthIsAProtocolErrorBeforeAnyAllocation() {
        MessageReader reader = reader(hex("64 7f ff ff ff"));

        assertThatThrownBy(reader::read).isInstanceOf(CellarException.class)
                .hasMessageContaining("claims a length of 2147483647 bytes")
                .extracting(e -> ((CellarException) e).code()).isEqualTo(ErrorCode.PROTOCOL_ERROR);
    }

    @Test
    void longLengthOfAShortMessageTypeIsAProtocolError() {
        assertThatThrownBy(() -> reader(hex("5a 00 01 00 00")).read())
                .hasMessageContaining("messages of this type are short")
                .extracting(e -> ((CellarException) e).code()).isEqualTo(ErrorCode.PROTOCOL_ERROR);
    }

    @Test
    void negativeLengthIsAProtocolError() {
        assertThatThrownBy(() -> reader(hex("44 ff ff ff f0")).read())
                .hasMessageContaining("claims a length of 4294967280 bytes");
    }

    @Test
    void peerThatIsNotPostgresIsDetected() {
        // What an HTTP server answers: "HTTP/1.1 400 ...": 'H' then "TTP/" as a length
        assertThatThrownBy(() -> reader("HTTP/1.1 400 Bad Request".getBytes()).read())
                .hasMessageContaining("message of type 'H' claims a length of 1414811695 bytes")
                .extracting(e -> ((CellarException) e).code()).isEqualTo(ErrorCode.PROTOCOL_ERROR);
        assertThatThrownBy(() -> reader(hex("00 00 00 00 05")).read())
                .hasMessageContaining("unexpected message type 0x00");
    }

    @Test
    void trailingBytesInAMessageAreAProtocolError() {
        assertThatThrownBy(() -> reader(hex("5a 00 00 00 06 49 00")).read())
                .hasMessageContaining("ReadyForQuery of 2 bytes");
        assertThatThrownBy(() -> reader(hex("63 00 00 00 05 00")).read())
                .hasMessageContaining("1 unexpected bytes at the end of a message of type 'c'");
    }

    @Test
    void unterminatedStringIsAProtocolError() {
        assertThatThrownBy(() -> reader(hex("43 00 00 00 06 41 42")).read())
                .hasMessageContaining("not terminated");
    }

    @Test
    void endOfStreamInsideAMessageIsAnEofException() {
        assertThatThrownBy(() -> reader(hex("43 00 00 00 10 41")).read())
                .isInstanceOf(EOFException.class)
                .hasMessageContaining("in the middle of a message");
        assertThatThrownBy(() -> reader().read())
                .isInstanceOf(EOFException.class)
                .hasMessage("the server closed the connection");
    }

    @Test
    void saysWhetherTheNextMessageIsAlreadyBufferedWithoutReading() throws Exception {
        byte[] copyDone = message('c', new byte[0]);
        byte[] data = message('d', new byte[10]);
        byte[] all = new byte[copyDone.length * 2 + data.length - 3];
        System.arraycopy(copyDone, 0, all, 0, copyDone.length);
        System.arraycopy(copyDone, 0, all, copyDone.length, copyDone.length);
        System.arraycopy(data, 0, all, 2 * copyDone.length, data.length - 3);
        MessageReader reader = new MessageReader(new ByteArrayInputStream(all), 64);

        assertThat(reader.hasBufferedMessage()).as("nothing read from the stream yet").isFalse();
        assertThat(reader.read()).isInstanceOf(BackendMessage.CopyDone.class);
        assertThat(reader.hasBufferedMessage()).as("the second CopyDone arrived with the first").isTrue();
        assertThat(reader.read()).isInstanceOf(BackendMessage.CopyDone.class);
        assertThat(reader.hasBufferedMessage()).as("only part of the CopyData has arrived").isFalse();
    }
}
