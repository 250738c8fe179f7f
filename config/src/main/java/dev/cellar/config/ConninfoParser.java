package dev.cellar.config;

import dev.cellar.core.CellarException;
import dev.cellar.core.ErrorCode;
import java.io.ByteArrayOutputStream;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Splits a libpq connection string into keyword/value pairs, remembering where each keyword starts
 * so that errors can point at it. Both forms libpq reads are accepted: {@code key=value ...} (with
 * libpq's quoting and backslash rules) and {@code postgresql://user@host:port,host2/db?key=value}.
 * Values are not checked here; see {@link ConninfoKeywords}.
 */
final class ConninfoParser {
    /** One pair; {@code at} is the 1-based character position of the keyword (or URI part). */
    record Param(String keyword, String value, int at) {
    }

    private ConninfoParser() {
    }

    static List<Param> parse(String text) {
        if (text.startsWith("postgresql://") || text.startsWith("postgres://")) {
            return parseUri(text);
        }
        return parseKeywordValue(text);
    }

    /** libpq's conninfo_parse: whitespace-separated pairs, optional quotes, backslash escapes. */
    private static List<Param> parseKeywordValue(String text) {
        List<Param> params = new ArrayList<>();
        int i = 0;
        int n = text.length();
        while (true) {
            i = skipSpace(text, i);
            if (i >= n) {
                return params;
            }
            int keywordAt = i;
            while (i < n && !isSpace(text.charAt(i)) && text.charAt(i) != '=') {
                i++;
            }
            String keyword = text.substring(keywordAt, i);
            i = skipSpace(text, i);
            if (keyword.isEmpty()) {
                throw invalid("missing key before '=' at character " + (keywordAt + 1));
            }
            if (i >= n || text.charAt(i) != '=') {
                throw invalid("missing '=' after '" + keyword + "' at character " + (keywordAt + 1));
            }
            i = skipSpace(text, i + 1);
            StringBuilder value = new StringBuilder();
            if (i < n && text.charAt(i) == '\'') {
                int quoteAt = i++;
                while (true) {
                    if (i >= n) {
                        throw invalid("unterminated quoted string starting at character " + (quoteAt + 1));
                    }
                    char c = text.charAt(i++);
                    if (c == '\\' && i < n) {
                        value.append(text.charAt(i++));
                    } else if (c == '\'') {
                        break;
                    } else if (c != '\\') {
                        value.append(c);
                    }
                }
            } else {
                while (i < n && !isSpace(text.charAt(i))) {
                    char c = text.charAt(i++);
                    if (c == '\\') {
                        // As libpq: a backslash takes the next character literally; a trailing one vanishes.
                        if (i < n) {
                            value.append(text.charAt(i++));
                        }
                    } else {
                        value.append(c);
                    }
                }
            }
            params.add(new Param(keyword, value.toString(), keywordAt + 1));
        }
    }

    /** libpq's conninfo_uri_parse: {@code postgresql://[user[:password]@][host[:port],...][/dbname][?k=v&...]}. */
    private static List<Param> parseUri(String text) {
        List<Param> params = new ArrayList<>();
        int i = text.indexOf("://") + 3;
        int authorityEnd = indexOfAny(text, i, "/?");
        int at = text.indexOf('@', i);
        if (at >= 0 && at < authorityEnd) {
            int colon = text.indexOf(':', i);
            if (colon >= 0 && colon < at) {
                throw invalid("a password must not be written in conninfo (in the URI at character " + (colon + 1)
                        + "); use the cluster's password_file, or password: ${ENV_VAR}, so it never shows in logs");
            }
            addIfPresent(params, "user", decode(text, i, at), i + 1);
            i = at + 1;
        }
        List<String> hosts = new ArrayList<>();
        List<String> ports = new ArrayList<>();
        int hostsAt = i + 1;
        for (int start = i; start <= authorityEnd; ) {
            int end = indexOfAny(text, start, ",/?");
            end = Math.min(end, authorityEnd);
            String spec = text.substring(start, end);
            int portColon;
            if (spec.startsWith("[")) {
                int close = spec.indexOf(']');
                if (close < 0) {
                    throw invalid("missing ']' after the IPv6 address at character " + (start + 1));
                }
                hosts.add(decode(text, start + 1, start + close));
                portColon = close + 1 < spec.length() ? close + 1 : -1;
                if (portColon >= 0 && spec.charAt(portColon) != ':') {
                    throw invalid("unexpected '" + spec.charAt(portColon) + "' after ']' at character "
                            + (start + portColon + 1));
                }
            } else {
                portColon = spec.indexOf(':');
                hosts.add(decode(text, start, portColon < 0 ? end : start + portColon));
            }
            ports.add(portColon < 0 ? "" : decode(text, start + portColon + 1, end));
            start = end + 1;
        }
        if (hosts.size() > 1 || !hosts.get(0).isEmpty()) {
            params.add(new Param("host", String.join(",", hosts), hostsAt));
        }
        if (ports.stream().anyMatch(p -> !p.isEmpty())) {
            params.add(new Param("port", String.join(",", ports), hostsAt));
        }
        i = authorityEnd;
        if (i < text.length() && text.charAt(i) == '/') {
            int end = indexOfAny(text, i, "?");
            addIfPresent(params, "dbname", decode(text, i + 1, end), i + 2);
            i = end;
        }
        if (i < text.length()) {
            for (int start = i + 1; start < text.length(); ) {
                int end = indexOfAny(text, start, "&");
                if (end == start) {
                    start++;
                    continue;
                }
                int eq = text.indexOf('=', start);
                if (eq < 0 || eq > end) {
                    throw invalid("missing '=' in URI parameter at character " + (start + 1));
                }
                params.add(new Param(decode(text, start, eq), decode(text, eq + 1, end), start + 1));
                start = end + 1;
            }
        }
        return params;
    }

    private static void addIfPresent(List<Param> params, String keyword, String value, int at) {
        if (!value.isEmpty()) {
            params.add(new Param(keyword, value, at));
        }
    }

    /** Percent-decodes {@code text[from, to)} as UTF-8; unlike form decoding, '+' stays '+'. */
    private static String decode(String text, int from, int to) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        for (int i = from; i < to; i++) {
            char c = text.charAt(i);
            if (c == '%') {
                int hi = i + 2 < to ? Character.digit(text.charAt(i + 1), 16) : -1;
                int lo = i + 2 < to ? Character.digit(text.charAt(i + 2), 16) : -1;
                if (hi < 0 || lo < 0) {
                    throw invalid("invalid percent-encoding at character " + (i + 1) + "; expected %XX with hex digits");
                }
                bytes.write(hi * 16 + lo);
                i += 2;
            } else {
                byte[] encoded = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
                bytes.write(encoded, 0, encoded.length);
            }
        }
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes.toByteArray())).toString();
        } catch (CharacterCodingException e) {
            throw invalid("percent-encoded bytes at character " + (from + 1) + " are not valid UTF-8");
        }
    }

    private static int indexOfAny(String text, int from, String chars) {
        for (int i = from; i < text.length(); i++) {
            if (chars.indexOf(text.charAt(i)) >= 0) {
                return i;
            }
        }
        return text.length();
    }

    private static int skipSpace(String text, int i) {
        while (i < text.length() && isSpace(text.charAt(i))) {
            i++;
        }
        return i;
    }

    /** C's isspace in the "C" locale, which libpq uses. */
    private static boolean isSpace(char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == 0x0B;
    }

    private static CellarException invalid(String message) {
        return new CellarException(ErrorCode.INVALID_VALUE, message);
    }
}
