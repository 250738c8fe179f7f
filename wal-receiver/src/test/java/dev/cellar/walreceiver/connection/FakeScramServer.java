package dev.cellar.walreceiver.connection;

import static org.assertj.core.api.Assertions.assertThat;

import com.ongres.scram.common.ClientFirstMessage;
import com.ongres.scram.common.ScramFunctions;
import com.ongres.scram.common.ScramMechanism;
import com.ongres.scram.common.ServerFirstMessage;
import com.ongres.scram.common.StringPreparation;
import dev.cellar.walreceiver.protocol.WireBytes;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * The server side of SCRAM-SHA-256 (RFC 5802) as PostgreSQL runs it, for the fake server: it checks
 * the client's proof and answers with its own signature, or a forged one.
 */
final class FakeScramServer {
    private static final ScramMechanism MECHANISM = ScramMechanism.SCRAM_SHA_256;
    private static final int ITERATIONS = 4096;

    private FakeScramServer() {
    }

    /** How the server behaves after the client's proof. */
    enum Ending {
        /** Correct server signature, then AuthenticationOk. */
        HONEST,
        /** A signature made with a different password (an impostor); no AuthenticationOk follows. */
        FORGED_SIGNATURE,
        /** AuthenticationOk straight after the client's proof, without a server signature. */
        SKIP_SIGNATURE
    }

    /** Runs the exchange; returns the client-first-message's GS2 header ({@code n,,} or {@code y,,}). */
    static String authenticate(FakeServer.Session session, String password, Ending ending) throws IOException {
        session.sendAuthentication(10, WireBytes.create().cString("SCRAM-SHA-256").byte1(0).toByteArray());
        ByteBuffer initial = ByteBuffer.wrap(session.expect('p').body());
        String mechanism = cString(initial);
        assertThat(mechanism).isEqualTo("SCRAM-SHA-256");
        byte[] clientFirstBytes = new byte[initial.getInt()];
        initial.get(clientFirstBytes);
        String clientFirst = new String(clientFirstBytes, StandardCharsets.UTF_8);
        ClientFirstMessage parsed;
        try {
            parsed = ClientFirstMessage.parseFrom(clientFirst);
        } catch (Exception e) {
            throw new AssertionError("bad client-first-message " + clientFirst, e);
        }
        int bareStart = clientFirst.indexOf(',', clientFirst.indexOf(',') + 1) + 1;
        String gs2Header = clientFirst.substring(0, bareStart);
        String clientFirstBare = clientFirst.substring(bareStart);

        byte[] salt = "fake-server-salt".getBytes(StandardCharsets.US_ASCII);
        String serverFirst = new ServerFirstMessage(parsed.getClientNonce(), "ServerNonce42",
                Base64.getEncoder().encodeToString(salt), ITERATIONS).toString();
        session.sendAuthentication(11, serverFirst.getBytes(StandardCharsets.UTF_8));

        String clientFinal = session.expect('p').bodyText();
        int proofAt = clientFinal.lastIndexOf(",p=");
        String withoutProof = clientFinal.substring(0, proofAt);
        byte[] proof = Base64.getDecoder().decode(clientFinal.substring(proofAt + 3));
        String authMessage = clientFirstBare + "," + serverFirst + "," + withoutProof;

        byte[] salted = ScramFunctions.saltedPassword(MECHANISM, StringPreparation.POSTGRESQL_PREPARATION,
                password.toCharArray(), salt, ITERATIONS);
        byte[] storedKey = ScramFunctions.storedKey(MECHANISM, ScramFunctions.clientKey(MECHANISM, salted));
        if (!ScramFunctions.verifyClientProof(MECHANISM, proof, storedKey, authMessage)) {
            session.sendError("FATAL", "28P01", "password authentication failed for user \"cellar\"");
            return gs2Header;
        }
        switch (ending) {
            case HONEST -> sendSignature(session, salted, authMessage);
            case FORGED_SIGNATURE -> {
                sendSignature(session, ScramFunctions.saltedPassword(MECHANISM, StringPreparation.POSTGRESQL_PREPARATION,
                        "not-the-password".toCharArray(), salt, ITERATIONS), authMessage);
                return gs2Header;
            }
            case SKIP_SIGNATURE -> {
                // straight to AuthenticationOk
            }
        }
        session.sendAuthOk();
        return gs2Header;
    }

    private static void sendSignature(FakeServer.Session session, byte[] salted, String authMessage) throws IOException {
        byte[] signature = ScramFunctions.serverSignature(MECHANISM, ScramFunctions.serverKey(MECHANISM, salted), authMessage);
        session.sendAuthentication(12, ("v=" + Base64.getEncoder().encodeToString(signature)).getBytes(StandardCharsets.UTF_8));
    }

    private static String cString(ByteBuffer in) {
        int start = in.position();
        while (in.get() != 0) {
            // scan to NUL
        }
        return new String(in.array(), start, in.position() - start - 1, StandardCharsets.UTF_8);
    }
}
