package dev.cellar.walreceiver.connection;

import dev.cellar.core.CellarException;
import dev.cellar.core.ErrorCode;
import dev.cellar.walreceiver.protocol.ServerDiagnostic;
import java.io.EOFException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.security.cert.CertPathBuilderException;
import java.security.cert.CertPathValidatorException;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;

/**
 * Turns what goes wrong while connecting into one-line reasons with hints. Reasons do not name
 * the server: {@link ReplicationConnector} prefixes each with the host and address it belongs to.
 * Stateless.
 */
final class StartupErrors {
    private StartupErrors() {
    }

    /** The server's ErrorResponse to our login, classified, with what to do about it. */
    static ServerErrorException refused(ServerDiagnostic diagnostic, String user) {
        String state = diagnostic.sqlState();
        String text = diagnostic.message();
        String hint = null;
        String what = "the server refused the connection";
        if (state.equals("28P01")) {
            what = "the server rejected the password";
            hint = "Check the password (password_file) of replication user \"" + user + "\".";
        } else if (state.equals("28000") && text.contains("pg_hba.conf")) {
            what = "pg_hba.conf on the server has no line that lets this replication connection in";
            hint = "Add a line such as \"hostssl replication " + user + " <client address>/32 scram-sha-256\" to "
                    + "pg_hba.conf and reload the server: physical replication connections match only the "
                    + "'replication' keyword in the database column, never 'all'.";
        } else if (state.equals("28000") && text.contains("does not exist")) {
            what = "the role does not exist on the server";
            hint = "Create it: CREATE ROLE " + user + " LOGIN REPLICATION PASSWORD '…';";
        } else if (state.startsWith("28")) {
            what = "the server rejected the login";
        } else if (state.equals("42501")) {
            what = "the role may not start a replication connection";
            hint = "Give it the REPLICATION attribute: ALTER ROLE " + user + " REPLICATION;";
        } else if (state.equals("53300")) {
            what = "the server has no free connection slot";
            hint = "Raise max_wal_senders (and max_connections) on the server, or end unused replication connections.";
        } else if (state.startsWith("57P")) {
            what = "the server does not accept connections now";
        }
        return new ServerErrorException(what + ": " + diagnostic, diagnostic, hint);
    }

    /** A network-level failure of one attempt. */
    static CellarException io(IOException e, Deadline deadline, String phase) {
        String reason;
        if (e instanceof ConnectException) {
            reason = "connection refused (" + e.getMessage() + ")";
        } else if (e instanceof SocketTimeoutException) {
            reason = "timed out " + phase + " (connect timeout " + deadline.timeout().toMillis() + " ms)";
        } else if (e instanceof NoRouteToHostException) {
            reason = "no route to host";
        } else if (e instanceof UnknownHostException) {
            reason = "cannot resolve the host name";
        } else if (e instanceof EOFException) {
            reason = "the server closed the connection " + phase;
        } else if (e instanceof SSLHandshakeException) {
            return handshake(e);
        } else if (e instanceof SSLException) {
            reason = "TLS failure " + phase + ": " + rootMessage(e);
        } else {
            reason = "I/O failure " + phase + ": " + e;
        }
        return new CellarException(ErrorCode.CONNECTION_FAILED, reason, null, e);
    }

    /** A failed TLS handshake, with the two verification failures users meet put in plain words. */
    private static CellarException handshake(IOException e) {
        String detail = rootMessage(e);
        String reason;
        String hint;
        if (hasCause(e, CertPathBuilderException.class) || hasCause(e, CertPathValidatorException.class)) {
            reason = "the server's certificate is not signed by a trusted root certificate (sslrootcert)";
            hint = "Give the certificate of the CA that signed the server's certificate as sslrootcert, "
                    + "or use sslmode=require to encrypt without verifying the server.";
        } else if (detail.contains("No name matching") || detail.contains("No subject alternative")) {
            reason = "the server's certificate does not name the host connected to (sslmode=verify-full)";
            hint = "Connect by a name or address listed in the certificate's subject alternative names, or use sslmode=verify-ca.";
        } else {
            reason = "the TLS handshake failed";
            hint = "Check sslmode, the root certificate (sslrootcert) and the server's ssl settings.";
        }
        return new CellarException(ErrorCode.CONNECTION_FAILED, reason + " (" + detail + ")", hint, e);
    }

    private static boolean hasCause(Throwable e, Class<? extends Throwable> type) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (type.isInstance(t)) {
                return true;
            }
        }
        return false;
    }

    /** The exception's message, plus its root cause's if that adds something (JSSE nests the useful part). */
    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = String.valueOf(e.getMessage());
        String rootText = root.getMessage();
        return root == e || rootText == null || message.contains(rootText) ? message : message + " (" + rootText + ")";
    }
}
