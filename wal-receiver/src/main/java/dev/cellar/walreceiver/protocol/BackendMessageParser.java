package dev.cellar.walreceiver.protocol;

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
import dev.cellar.walreceiver.protocol.BackendMessage.EmptyQueryResponse;
import dev.cellar.walreceiver.protocol.BackendMessage.ErrorResponse;
import dev.cellar.walreceiver.protocol.BackendMessage.NegotiateProtocolVersion;
import dev.cellar.walreceiver.protocol.BackendMessage.NoticeResponse;
import dev.cellar.walreceiver.protocol.BackendMessage.ParameterStatus;
import dev.cellar.walreceiver.protocol.BackendMessage.ReadyForQuery;
import dev.cellar.walreceiver.protocol.BackendMessage.RowDescription;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Decodes the body of one backend message (type byte and length already read and checked by
 * {@link MessageReader}). Every decoder consumes the body exactly; missing or trailing bytes are a
 * protocol error, so a desynchronised stream is noticed at the first wrong message.
 */
final class BackendMessageParser {
    private static final CopyDone COPY_DONE = new CopyDone();
    private static final EmptyQueryResponse EMPTY_QUERY = new EmptyQueryResponse();

    private BackendMessageParser() {
    }

    /** Whether the protocol allows a message of this type at all (used to reject garbage early). */
    static boolean isKnownType(byte type) {
        return switch (type) {
            case 'R', 'S', 'K', 'Z', 'T', 'D', 'C', 'I', 'E', 'N', 'G', 'H', 'W', 'd', 'c', 'v' -> true;
            default -> false;
        };
    }

    /**
     * Whether messages of this type may legitimately be long. libpq (fe-protocol3.c
     * {@code VALID_LONG_MESSAGE_TYPE}) treats any other message above 30000 bytes as a sign of lost
     * synchronisation; so do we.
     */
    static boolean mayBeLong(byte type) {
        return switch (type) {
            case 'T', 'D', 'd', 'E', 'N', 'v' -> true;
            default -> false;
        };
    }

    /**
     * @param body the message body, position 0, limit = body length; for CopyData it is aliased
     * @throws CellarException {@link ErrorCode#PROTOCOL_ERROR} if the body does not match the type
     */
    static BackendMessage parse(byte type, ByteBuffer body) {
        BackendMessage message = switch (type) {
            case 'R' -> authentication(body);
            case 'S' -> new ParameterStatus(cString(body, type), cString(body, type));
            case 'K' -> backendKeyData(body);
            case 'Z' -> new ReadyForQuery(readyStatus(body));
            case 'T' -> rowDescription(body);
            case 'D' -> dataRow(body);
            case 'C' -> new CommandComplete(cString(body, type));
            case 'I' -> EMPTY_QUERY;
            case 'E' -> new ErrorResponse(diagnostic(body, type));
            case 'N' -> new NoticeResponse(diagnostic(body, type));
            case 'G' -> copyResponse(CopyDirection.IN, body);
            case 'H' -> copyResponse(CopyDirection.OUT, body);
            case 'W' -> copyResponse(CopyDirection.BOTH, body);
            case 'd' -> copyData(body);
            case 'c' -> COPY_DONE;
            case 'v' -> negotiateProtocolVersion(body);
            default -> throw violation("unexpected message type " + describeType(type));
        };
        if (body.hasRemaining()) {
            throw violation(body.remaining() + " unexpected bytes at the end of a message of type " + describeType(type));
        }
        return message;
    }

    private static Authentication authentication(ByteBuffer body) {
        int code = int32(body, 'R');
        byte[] data = new byte[body.remaining()];
        body.get(data);
        if (code == Authentication.AUTH_MD5_PASSWORD && data.length != 4) {
            throw violation("AuthenticationMD5Password carries " + data.length + " salt bytes instead of 4");
        }
        return new Authentication(code, data);
    }

    private static BackendKeyData backendKeyData(ByteBuffer body) {
        int pid = int32(body, 'K');
        if (body.remaining() < 4 || body.remaining() > 256) {
            throw violation("BackendKeyData carries a secret key of " + body.remaining() + " bytes (expected 4 to 256)");
        }
        byte[] key = new byte[body.remaining()];
        body.get(key);
        return new BackendKeyData(pid, key);
    }

    private static char readyStatus(ByteBuffer body) {
        if (body.remaining() != 1) {
            throw violation("ReadyForQuery of " + body.remaining() + " bytes (expected 1)");
        }
        char status = (char) body.get();
        if (status != 'I' && status != 'T' && status != 'E') {
            throw violation("ReadyForQuery with unknown transaction status " + describeType((byte) status));
        }
        return status;
    }

    private static RowDescription rowDescription(ByteBuffer body) {
        int count = uint16(body, 'T');
        List<RowDescription.Field> fields = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            String name = cString(body, (byte) 'T');
            need(body, 18, 'T');
            fields.add(new RowDescription.Field(name, body.getInt(), body.getShort(), body.getInt(), body.getShort(),
                    body.getInt(), body.getShort()));
        }
        return new RowDescription(fields);
    }

    private static DataRow dataRow(ByteBuffer body) {
        int count = uint16(body, 'D');
        List<byte[]> values = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            int length = int32(body, 'D');
            if (length == -1) {
                values.add(null);
                continue;
            }
            if (length < 0 || length > body.remaining()) {
                throw violation("DataRow column " + (i + 1) + " claims " + length + " bytes but " + body.remaining()
                        + " remain");
            }
            byte[] value = new byte[length];
            body.get(value);
            values.add(value);
        }
        return new DataRow(values);
    }

    private static ServerDiagnostic diagnostic(ByteBuffer body, byte type) {
        Map<Character, String> fields = new LinkedHashMap<>();
        while (true) {
            need(body, 1, type);
            byte code = body.get();
            if (code == 0) {
                break;
            }
            fields.put((char) (code & 0xFF), cString(body, type));
        }
        return new ServerDiagnostic(fields);
    }

    private static CopyResponse copyResponse(CopyDirection direction, ByteBuffer body) {
        need(body, 1, 'W');
        byte overall = body.get();
        int count = uint16(body, 'W');
        List<Integer> formats = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            formats.add(uint16(body, 'W'));
        }
        return new CopyResponse(direction, overall != 0, formats);
    }

    private static CopyData copyData(ByteBuffer body) {
        CopyData data = new CopyData(body.slice());
        body.position(body.limit());
        return data;
    }

    private static NegotiateProtocolVersion negotiateProtocolVersion(ByteBuffer body) {
        int newestMinor = int32(body, 'v');
        int count = int32(body, 'v');
        if (count < 0 || count > body.remaining()) {
            throw violation("NegotiateProtocolVersion claims " + count + " options");
        }
        List<String> options = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            options.add(cString(body, (byte) 'v'));
        }
        return new NegotiateProtocolVersion(newestMinor, options);
    }

    private static String cString(ByteBuffer body, byte type) {
        int start = body.position();
        for (int i = start; i < body.limit(); i++) {
            if (body.get(i) == 0) {
                String s;
                if (body.hasArray()) {
                    s = new String(body.array(), body.arrayOffset() + start, i - start, StandardCharsets.UTF_8);
                } else {
                    byte[] bytes = new byte[i - start];
                    body.get(start, bytes);
                    s = new String(bytes, StandardCharsets.UTF_8);
                }
                body.position(i + 1);
                return s;
            }
        }
        throw violation("a string in a message of type " + describeType(type) + " is not terminated");
    }

    private static int int32(ByteBuffer body, char type) {
        need(body, 4, type);
        return body.getInt();
    }

    private static int uint16(ByteBuffer body, char type) {
        need(body, 2, type);
        return Short.toUnsignedInt(body.getShort());
    }

    private static void need(ByteBuffer body, int bytes, char type) {
        need(body, bytes, (byte) type);
    }

    private static void need(ByteBuffer body, int bytes, byte type) {
        if (body.remaining() < bytes) {
            throw violation("a message of type " + describeType(type) + " ends early");
        }
    }

    static String describeType(byte type) {
        return type >= 0x20 && type < 0x7F ? "'" + (char) type + "'" : "0x%02X".formatted(type & 0xFF);
    }

    static CellarException violation(String what) {
        return new CellarException(ErrorCode.PROTOCOL_ERROR, "protocol violation: " + what);
    }
}
