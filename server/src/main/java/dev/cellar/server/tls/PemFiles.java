package dev.cellar.server.tls;

import dev.cellar.core.CellarException;
import dev.cellar.core.ErrorCode;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.InvalidKeySpecException;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the PEM files (RFC 7468) of the admin API's TLS: certificates ({@code BEGIN CERTIFICATE},
 * several per file) and one unencrypted PKCS#8 private key ({@code BEGIN PRIVATE KEY}), RSA or EC.
 * Text outside the blocks (OpenSSL's "Bag Attributes", comments) is ignored, so one file may hold
 * both a key and its certificates.
 *
 * <p>OpenSSL's older key forms and encrypted keys are refused with the openssl command that
 * converts them rather than converted here: PKCS#8 is what OpenSSL 3 and keytool write, and a
 * server started unattended has no one to ask for a passphrase.
 *
 * <p>Every problem is a {@link CellarException} ({@link ErrorCode#CONFIG_INVALID}) naming the file
 * and where it was named ({@code source}: a configuration key or a command-line option), with a
 * hint. Stateless and thread-safe.
 */
public final class PemFiles {
    private static final Pattern BEGIN = Pattern.compile("-----BEGIN ([A-Z0-9 ]+)-----");
    private static final String CERTIFICATE = "CERTIFICATE";
    private static final String PKCS8_KEY = "PRIVATE KEY";
    /** Key blocks of other forms, and what to call them in a message. */
    private static final Map<String, String> REFUSED_KEYS = Map.of(
            "RSA PRIVATE KEY", "an RSA key in the older PKCS#1 form",
            "EC PRIVATE KEY", "an EC key in the older SEC 1 form",
            "ENCRYPTED PRIVATE KEY", "an encrypted key, and the server cannot ask for its passphrase");
    private static final List<String> KEY_ALGORITHMS = List.of("RSA", "EC");
    private static final Pattern SHELL_PLAIN = Pattern.compile("[A-Za-z0-9_./:=@%+-]+");

    private PemFiles() {
    }

    /**
     * The certificates of {@code file}, in file order.
     *
     * @param source where the file was named, e.g. {@code server.tls.certificate_file} or {@code --ca-file}
     * @throws CellarException when the file cannot be read or holds no valid certificate
     */
    public static List<X509Certificate> certificates(Path file, String source) {
        List<X509Certificate> certificates = new ArrayList<>();
        try {
            CertificateFactory factory = CertificateFactory.getInstance("X.509");
            for (Block block : blocks(file, source)) {
                if (block.label().equals(CERTIFICATE)) {
                    certificates.add((X509Certificate) factory.generateCertificate(
                            new ByteArrayInputStream(block.der())));
                }
            }
        } catch (CertificateException e) {
            throw problem(file, source, "it holds a malformed certificate: " + e.getMessage(),
                    "check it with: openssl x509 -noout -text -in " + shell(file));
        }
        if (certificates.isEmpty()) {
            throw problem(file, source, "it holds no -----BEGIN CERTIFICATE----- block",
                    "give the certificate in PEM form; a DER file converts with: openssl x509 -inform der -in "
                            + shell(file) + " -out " + shell(pemSibling(file)));
        }
        return List.copyOf(certificates);
    }

    /**
     * The one private key of {@code file}.
     *
     * @param source where the file was named, e.g. {@code server.tls.key_file}
     * @throws CellarException when the file cannot be read, holds no key, several keys, a key in
     *                         another form than unencrypted PKCS#8, or a key neither RSA nor EC
     */
    public static PrivateKey privateKey(Path file, String source) {
        List<Block> blocks = blocks(file, source);
        for (Block block : blocks) {
            String refused = REFUSED_KEYS.get(block.label());
            if (refused != null) {
                Path converted = sibling(file, "pkcs8");
                throw problem(file, source, "it holds " + refused + " (BEGIN " + block.label()
                        + "); Cellar reads unencrypted PKCS#8 keys (BEGIN PRIVATE KEY)", "convert it (keep the new"
                        + " file readable only by the server's user), then set " + source + " to the new file: "
                        + "openssl pkcs8 -topk8 -nocrypt -in " + shell(file) + " -out " + shell(converted));
            }
        }
        List<byte[]> keys = blocks.stream().filter(b -> b.label().equals(PKCS8_KEY)).map(Block::der).toList();
        if (keys.size() != 1) {
            throw problem(file, source, keys.isEmpty() ? "it holds no -----BEGIN PRIVATE KEY----- block"
                    : "it holds " + keys.size() + " private keys", "give a PEM file with the certificate's private"
                    + " key alone, in PKCS#8 form (BEGIN PRIVATE KEY)");
        }
        byte[] der = keys.getFirst();
        try {
            for (String algorithm : KEY_ALGORITHMS) {
                try {
                    return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
                } catch (InvalidKeySpecException notThisAlgorithm) {
                    // PKCS#8 names its algorithm inside, but KeyFactory wants it up front: try the next.
                } catch (NoSuchAlgorithmException e) {
                    throw new IllegalStateException("every JDK has " + algorithm + " keys", e);
                }
            }
            throw problem(file, source, "its PRIVATE KEY block is not an RSA or EC key",
                    "see what it holds with: openssl pkey -noout -text -in " + shell(file));
        } finally {
            Arrays.fill(der, (byte) 0);
        }
    }

    /** One {@code -----BEGIN label-----} … {@code -----END label-----} block, decoded. */
    private record Block(String label, byte[] der) {
    }

    private static List<Block> blocks(Path file, String source) {
        // Latin-1 maps every byte to a character: a binary (DER) file reads as text without blocks.
        String text = new String(read(file, source), StandardCharsets.ISO_8859_1);
        List<Block> blocks = new ArrayList<>();
        Matcher begin = BEGIN.matcher(text);
        int from = 0;
        while (begin.find(from)) {
            String label = begin.group(1);
            String end = "-----END " + label + "-----";
            int stop = text.indexOf(end, begin.end());
            if (stop < 0) {
                throw problem(file, source, "its " + begin.group() + " block has no " + end + " line",
                        "the file is cut short: copy it again");
            }
            try {
                blocks.add(new Block(label, Base64.getMimeDecoder().decode(text.substring(begin.end(), stop))));
            } catch (IllegalArgumentException e) {
                throw problem(file, source, "its " + label + " block is not valid base64",
                        "the file is damaged: copy it again");
            }
            from = stop + end.length();
        }
        return blocks;
    }

    private static byte[] read(Path file, String source) {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            String reason = switch (e) {
                case NoSuchFileException ignored -> "no such file";
                case AccessDeniedException ignored -> "permission denied";
                default -> String.valueOf(e.getMessage());
            };
            throw problem(file, source, "cannot read it: " + reason,
                    "check the path and that the user running Cellar may read the file");
        }
    }

    /** {@code key.pem} → {@code key.<infix>.pem}; {@code key} → {@code key.<infix>}. */
    private static Path sibling(Path file, String infix) {
        String name = file.getFileName().toString();
        int dot = name.lastIndexOf('.');
        String newName = dot > 0 ? name.substring(0, dot) + "." + infix + name.substring(dot) : name + "." + infix;
        return file.resolveSibling(newName);
    }

    /** {@code cert.der} → {@code cert.pem}, never the file itself (openssl would overwrite what it reads). */
    private static Path pemSibling(Path file) {
        String name = file.getFileName().toString();
        int dot = name.lastIndexOf('.');
        Path pem = file.resolveSibling((dot > 0 ? name.substring(0, dot) : name) + ".pem");
        return pem.equals(file) ? sibling(file, "converted") : pem;
    }

    private static CellarException problem(Path file, String source, String problem, String hint) {
        return new CellarException(ErrorCode.CONFIG_INVALID, "cannot use " + source + " " + file + ": " + problem,
                hint);
    }

    /** A path as a POSIX shell reads it, so that a hint can be pasted as it is. */
    private static String shell(Path path) {
        String text = path.toString();
        return SHELL_PLAIN.matcher(text).matches() ? text : "'" + text.replace("'", "'\\''") + "'";
    }
}
