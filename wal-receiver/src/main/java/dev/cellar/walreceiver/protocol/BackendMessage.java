package dev.cellar.walreceiver.protocol;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * A message from the server, decoded from protocol 3.0 ([proto] "Message Formats"). Only the
 * messages a replication connection can receive exist here; {@link MessageReader} rejects any other
 * type byte as a protocol error.
 *
 * <p>All records are immutable, except that {@link CopyData#payload()} is a view of the reader's
 * receive buffer (see there). Text fields are decoded as UTF-8; malformed bytes become U+FFFD, since
 * a message in a server's {@code lc_messages} encoding must still be shown rather than rejected.
 */
public sealed interface BackendMessage {

    /**
     * 'R': an authentication request or its outcome. {@link #data()} is what follows the code: the
     * salt for MD5, the mechanism list for SASL, the server's SCRAM message for SASL continue/final.
     *
     * @param code one of the {@code AUTH_*} constants (others are possible but unsupported)
     * @param data the bytes after the code (a copy: never aliased)
     */
    record Authentication(int code, byte[] data) implements BackendMessage {
        public static final int AUTH_OK = 0;
        public static final int AUTH_KERBEROS_V5 = 2;
        public static final int AUTH_CLEARTEXT_PASSWORD = 3;
        public static final int AUTH_MD5_PASSWORD = 5;
        public static final int AUTH_GSS = 7;
        public static final int AUTH_GSS_CONTINUE = 8;
        public static final int AUTH_SSPI = 9;
        public static final int AUTH_SASL = 10;
        public static final int AUTH_SASL_CONTINUE = 11;
        public static final int AUTH_SASL_FINAL = 12;

        public Authentication {
            data = data.clone();
        }

        @Override
        public byte[] data() {
            return data.clone();
        }

        /** The SASL mechanism names of an {@link #AUTH_SASL} request, in the server's order. */
        public List<String> saslMechanisms() {
            List<String> names = new ArrayList<>();
            int start = 0;
            for (int i = 0; i < data.length; i++) {
                if (data[i] == 0) {
                    if (i == start) {
                        break; // the empty name that ends the list
                    }
                    names.add(new String(data, start, i - start, StandardCharsets.UTF_8));
                    start = i + 1;
                }
            }
            return List.copyOf(names);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Authentication a && a.code == code && Arrays.equals(a.data, data);
        }

        @Override
        public int hashCode() {
            return 31 * code + Arrays.hashCode(data);
        }

        @Override
        public String toString() {
            return "Authentication[code=" + code + ", " + data.length + " bytes]";
        }
    }

    /** 'S': the current value of a run-time parameter the server reports (GUC_REPORT). */
    record ParameterStatus(String name, String value) implements BackendMessage {
        public ParameterStatus {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(value, "value");
        }
    }

    /**
     * 'K': what a CancelRequest must quote. Protocol 3.0 sends a 4-byte key; 3.2 (PostgreSQL 18)
     * allows up to 256 bytes, so the key is kept as bytes.
     */
    record BackendKeyData(int processId, byte[] secretKey) implements BackendMessage {
        public BackendKeyData {
            secretKey = secretKey.clone();
        }

        @Override
        public byte[] secretKey() {
            return secretKey.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof BackendKeyData k && k.processId == processId && Arrays.equals(k.secretKey, secretKey);
        }

        @Override
        public int hashCode() {
            return 31 * processId + Arrays.hashCode(secretKey);
        }

        @Override
        public String toString() {
            return "BackendKeyData[processId=" + processId + "]"; // the key stays out of logs
        }
    }

    /** 'Z': the server is idle; {@code transactionStatus} is 'I' (idle), 'T' (in a block) or 'E' (failed block). */
    record ReadyForQuery(char transactionStatus) implements BackendMessage {
    }

    /** 'T': the columns of the rows that follow. */
    record RowDescription(List<Field> fields) implements BackendMessage {
        public RowDescription {
            fields = List.copyOf(fields);
        }

        /** One column: its name and type; format 0 is text, 1 binary. */
        public record Field(String name, int tableOid, short columnNumber, int typeOid, short typeSize,
                            int typeModifier, short format) {
            public Field {
                Objects.requireNonNull(name, "name");
            }
        }
    }

    /**
     * 'D': one row. A value is {@code null} for SQL NULL, else its bytes (text format: the
     * server's text representation; for TIMELINE_HISTORY's {@code content}, the file's raw bytes).
     */
    record DataRow(List<byte[]> values) implements BackendMessage {
        public DataRow {
            values = Collections.unmodifiableList(new ArrayList<>(values));
        }

        /** The value of column {@code index} decoded as UTF-8, or {@code null} for SQL NULL. */
        public String text(int index) {
            byte[] value = values.get(index);
            return value == null ? null : new String(value, StandardCharsets.UTF_8);
        }

        @Override
        public String toString() {
            return "DataRow[" + values.size() + " values]";
        }
    }

    /** 'C': a command finished; {@code tag} is, for replication commands, the command's name. */
    record CommandComplete(String tag) implements BackendMessage {
        public CommandComplete {
            Objects.requireNonNull(tag, "tag");
        }
    }

    /** 'I': the query string was empty. */
    record EmptyQueryResponse() implements BackendMessage {
    }

    /** 'E': the command (or, if {@linkplain ServerDiagnostic#isFatal() fatal}, the session) failed. */
    record ErrorResponse(ServerDiagnostic diagnostic) implements BackendMessage {
        public ErrorResponse {
            Objects.requireNonNull(diagnostic, "diagnostic");
        }
    }

    /** 'N': a warning or notice; the command goes on. */
    record NoticeResponse(ServerDiagnostic diagnostic) implements BackendMessage {
        public NoticeResponse {
            Objects.requireNonNull(diagnostic, "diagnostic");
        }
    }

    /** Which way a COPY sub-protocol carries data. */
    enum CopyDirection {
        /** 'G' CopyInResponse: the client sends CopyData (UPLOAD_MANIFEST). */
        IN,
        /** 'H' CopyOutResponse: the server sends CopyData (BASE_BACKUP). */
        OUT,
        /** 'W' CopyBothResponse: both send CopyData (START_REPLICATION). */
        BOTH
    }

    /**
     * 'G', 'H' or 'W': the server enters a COPY sub-protocol.
     *
     * @param binary         overall format (false: text)
     * @param columnFormats  per-column format codes (replication streams send none)
     */
    record CopyResponse(CopyDirection direction, boolean binary, List<Integer> columnFormats) implements BackendMessage {
        public CopyResponse {
            Objects.requireNonNull(direction, "direction");
            columnFormats = List.copyOf(columnFormats);
        }
    }

    /**
     * 'd': a chunk of COPY data.
     *
     * <p><b>The payload is a read-only view of the connection's receive buffer, valid only until the
     * next read from the same reader</b> (the next message overwrites it). This keeps the WAL and
     * base-backup hot paths free of per-message copies; a consumer that keeps the bytes must copy
     * them first. Its position is 0 and its limit the payload length.
     */
    record CopyData(ByteBuffer payload) implements BackendMessage {
        public CopyData {
            payload = payload.asReadOnlyBuffer();
        }

        /** A copy of the payload, independent of the receive buffer. */
        public byte[] toByteArray() {
            byte[] copy = new byte[payload.remaining()];
            payload.duplicate().get(copy);
            return copy;
        }

        @Override
        public String toString() {
            return "CopyData[" + payload.remaining() + " bytes]";
        }
    }

    /** 'c': the server sends no more COPY data. */
    record CopyDone() implements BackendMessage {
    }

    /**
     * 'v': the server does not support the requested minor protocol version or some {@code _pq_}
     * options. Cellar requests plain 3.0 without options, so servers 15–18 never send it; the
     * message is decoded so that a server that does is understood rather than misread.
     */
    record NegotiateProtocolVersion(int newestMinorVersion, List<String> unrecognizedOptions) implements BackendMessage {
        public NegotiateProtocolVersion {
            unrecognizedOptions = List.copyOf(unrecognizedOptions);
        }
    }
}
