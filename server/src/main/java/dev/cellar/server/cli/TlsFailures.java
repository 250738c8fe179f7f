package dev.cellar.server.cli;

import dev.cellar.core.CellarException;
import dev.cellar.core.ErrorCode;
import java.net.URI;
import java.security.cert.CertPathBuilderException;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateException;
import javax.net.ssl.SSLException;

/**
 * Why TLS with the server failed, said so that the user knows what to change: a certificate this
 * backupctl does not trust, a certificate refused for another reason (most often it does not name
 * the host of the URL), or no TLS at all. Stateless.
 */
final class TlsFailures {
    private TlsFailures() {
    }

    static CellarException describe(SSLException e, URI base) {
        String reason = innermost(e).getMessage();
        if (causedBy(e, CertPathBuilderException.class) || causedBy(e, CertPathValidatorException.class)) {
            return new CellarException(ErrorCode.CONNECTION_FAILED, "the Cellar server at " + base
                    + " presented a certificate this backupctl does not trust (" + reason + ")",
                    "give its CA, or its own certificate when it is self-signed, with --ca-file FILE"
                            + " (backupctl --config trusts server.tls.certificate_file by itself)");
        }
        if (causedBy(e, CertificateException.class)) {
            return new CellarException(ErrorCode.CONNECTION_FAILED, "the certificate of the Cellar server at "
                    + base + " was refused: " + reason, "the certificate must list the host of the URL in its"
                    + " subjectAltName (e.g. IP:127.0.0.1 or DNS:backup.example.net): use a host it lists, or"
                    + " make a certificate that lists this one");
        }
        return new CellarException(ErrorCode.CONNECTION_FAILED, "TLS with the Cellar server at " + base
                + " failed: " + reason, "check that the server sets server.tls (a plain HTTP server wants"
                + " http://) and that both sides allow TLS 1.2 or later");
    }

    private static boolean causedBy(Throwable e, Class<? extends Throwable> type) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return true;
            }
        }
        return false;
    }

    private static Throwable innermost(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }
}
