package dev.cellar.walreceiver.connection;

import dev.cellar.core.CellarException;
import dev.cellar.core.ErrorCode;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;

/**
 * Reads the PEM files libpq users already have: certificates ({@code -----BEGIN CERTIFICATE-----},
 * several per file) and unencrypted private keys in PKCS#8 ({@code BEGIN PRIVATE KEY}, what
 * OpenSSL 3 writes) or PKCS#1 RSA ({@code BEGIN RSA PRIVATE KEY}) form. Text outside the blocks
 * (OpenSSL's "Bag Attributes", comments) is ignored. Stateless.
 */
final class PemFiles {
    private static final String[] KEY_ALGORITHMS = {"RSA", "EC", "Ed25519", "Ed448", "RSASSA-PSS"};

    private PemFiles() {
    }

    /**
     * @throws CellarException {@link ErrorCode#INVALID_VALUE} if the file cannot be read or holds no
     *     valid certificate
     */
    static List<X509Certificate> certificates(Path file, String role) {
        List<X509Certificate> certificates = new ArrayList<>();
        try {
            CertificateFactory factory = CertificateFactory.getInstance("X.509");
            for (byte[] der : blocks(file, role, "CERTIFICATE")) {
                certificates.add((X509Certificate) factory.generateCertificate(new ByteArrayInputStream(der)));
            }
        } catch (CertificateException e) {
            throw invalid(file, role, "it holds a malformed certificate: " + e.getMessage(), e);
        }
        if (certificates.isEmpty()) {
            throw invalid(file, role, "it contains no -----BEGIN CERTIFICATE----- block", null);
        }
        return certificates;
    }

    /**
     * @throws CellarException {@link ErrorCode#INVALID_VALUE} if the file cannot be read, is encrypted
     *     or holds no supported key
     */
    static PrivateKey privateKey(Path file) {
        String role = "client key (sslkey)";
        List<byte[]> pkcs8 = blocks(file, role, "PRIVATE KEY");
        List<byte[]> pkcs1 = blocks(file, role, "RSA PRIVATE KEY");
        byte[] der;
        if (!pkcs8.isEmpty()) {
            der = pkcs8.getFirst();
        } else if (!pkcs1.isEmpty()) {
            der = rsaPkcs1ToPkcs8(pkcs1.getFirst());
        } else {
            throw invalid(file, role, "it contains no unencrypted PKCS#8 (BEGIN PRIVATE KEY) or RSA key", null);
        }
        try {
            for (String algorithm : KEY_ALGORITHMS) {
                try {
                    return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
                } catch (GeneralSecurityException wrongAlgorithm) {
                    // Try the next algorithm: PKCS#8 names it inside, but KeyFactory needs it up front.
                }
            }
            throw invalid(file, role, "its key is of an unsupported type (RSA, EC, Ed25519 and Ed448 are supported)", null);
        } finally {
            Arrays.fill(der, (byte) 0);
        }
    }

    private static List<byte[]> blocks(Path file, String role, String label) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw invalid(file, role, "it cannot be read: " + e, e);
        }
        if (text.contains("-----BEGIN ENCRYPTED PRIVATE KEY-----") || text.contains("Proc-Type: 4,ENCRYPTED")) {
            throw invalid(file, role, "the key is encrypted; Cellar needs an unencrypted key file readable only by its user",
                    null);
        }
        String begin = "-----BEGIN " + label + "-----";
        String end = "-----END " + label + "-----";
        List<byte[]> result = new ArrayList<>();
        int from = 0;
        while (true) {
            int start = text.indexOf(begin, from);
            if (start < 0) {
                return result;
            }
            int stop = text.indexOf(end, start);
            if (stop < 0) {
                throw invalid(file, role, "a " + begin + " block has no " + end + " line", null);
            }
            try {
                result.add(Base64.getMimeDecoder().decode(text.substring(start + begin.length(), stop)));
            } catch (IllegalArgumentException e) {
                throw invalid(file, role, "a " + label + " block is not valid base64", e);
            }
            from = stop + end.length();
        }
    }

    /** Wraps an RSAPrivateKey (PKCS#1) in a PrivateKeyInfo (PKCS#8) with the rsaEncryption OID. */
    private static byte[] rsaPkcs1ToPkcs8(byte[] pkcs1) {
        byte[] algorithm = {0x30, 0x0D, 0x06, 0x09, 0x2A, (byte) 0x86, 0x48, (byte) 0x86, (byte) 0xF7, 0x0D, 0x01, 0x01,
            0x01, 0x05, 0x00};
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes(new byte[] {0x02, 0x01, 0x00}); // version 0
        body.writeBytes(algorithm);
        body.write(0x04);
        writeDerLength(body, pkcs1.length);
        body.writeBytes(pkcs1);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(0x30);
        writeDerLength(out, body.size());
        out.writeBytes(body.toByteArray());
        return out.toByteArray();
    }

    private static void writeDerLength(ByteArrayOutputStream out, int length) {
        if (length < 0x80) {
            out.write(length);
        } else if (length < 0x100) {
            out.write(0x81);
            out.write(length);
        } else if (length < 0x10000) {
            out.write(0x82);
            out.write(length >> 8);
            out.write(length);
        } else {
            out.write(0x83);
            out.write(length >> 16);
            out.write(length >> 8);
            out.write(length);
        }
    }

    private static CellarException invalid(Path file, String role, String problem, Throwable cause) {
        return new CellarException(ErrorCode.INVALID_VALUE, "cannot use " + file + " as the " + role + ": " + problem,
                "Give a PEM file as written by openssl (for a key: openssl pkcs8 -topk8 -nocrypt -in key.pem).", cause);
    }
}
