package org.draglora.engine.clip;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * HTML character references, decoded the way Python's {@code html.unescape} and ftfy's
 * {@code fixes.unescape_html} (ftfy 6.1.1) decode them.
 *
 * <p>{@link #unescape} follows the HTML5 rules as Python implements them: every named reference of
 * the WHATWG table (the 106 legacy names also without their semicolon, and then as the longest
 * prefix of a longer name), and decimal or hexadecimal numeric references with the HTML5
 * replacements for 0, CR, the Windows-1252 range 0x80–0x9F, surrogates and out-of-range numbers,
 * and with the other control and non-character code points dropped.
 *
 * <p>{@link #unescapeStrict} is ftfy's cautious variant: only complete references ending in a
 * semicolon are decoded, and additionally the all-capitals spelling of a lower-case name (such as
 * {@code &EACUTE;}) when that spelling is not itself a reference.
 *
 * <p>The table is the resource {@code html5-entities.txt} next to this class, loaded once.
 */
final class HtmlEntities {

    private static final String RESOURCE = "html5-entities.txt";

    /** What Python's {@code html.unescape} matches after the ampersand. */
    private static final Pattern CHARREF =
            Pattern.compile("&(#[0-9]+;?|#[xX][0-9a-fA-F]+;?|[^\\t\\n\\f <&#;]{1,32};?)");

    /** What ftfy's {@code unescape_html} considers an entity. */
    private static final Pattern STRICT_ENTITY = Pattern.compile("&#?[0-9A-Za-z]{1,24};");

    /** Python's {@code html._invalid_charrefs} for 0x80–0x9F: the Windows-1252 characters. */
    private static final char[] WINDOWS_1252_C1 = {
        '\u20AC', '\u0081', '\u201A', '\u0192', '\u201E', '\u2026', '\u2020', '\u2021',
        '\u02C6', '\u2030', '\u0160', '\u2039', '\u0152', '\u008D', '\u017D', '\u008F',
        '\u0090', '\u2018', '\u2019', '\u201C', '\u201D', '\u2022', '\u2013', '\u2014',
        '\u02DC', '\u2122', '\u0161', '\u203A', '\u0153', '\u009D', '\u017E', '\u0178',
    };

    /** Reference name (with or without its semicolon, no ampersand) to replacement text. */
    private static final Map<String, String> NAMED = loadNamed();

    /** ftfy's table: "&amp;name;" (and the capitalised extras) to replacement text. */
    private static final Map<String, String> STRICT = buildStrict();

    private HtmlEntities() {}

    /** Python's {@code html.unescape(text)}. */
    static String unescape(String text) {
        if (text.indexOf('&') < 0) {
            return text;
        }
        Matcher m = CHARREF.matcher(text);
        StringBuilder out = null;
        int last = 0;
        while (m.find()) {
            if (out == null) {
                out = new StringBuilder(text.length());
            }
            out.append(text, last, m.start()).append(replaceCharref(m.group(1)));
            last = m.end();
        }
        if (out == null) {
            return text;
        }
        return out.append(text, last, text.length()).toString();
    }

    /** ftfy's {@code unescape_html(text)}: only unambiguous, semicolon-terminated references. */
    static String unescapeStrict(String text) {
        if (text.indexOf('&') < 0) {
            return text;
        }
        Matcher m = STRICT_ENTITY.matcher(text);
        StringBuilder out = null;
        int last = 0;
        while (m.find()) {
            String entity = m.group();
            String replacement = STRICT.get(entity);
            if (replacement == null && entity.startsWith("&#")) {
                String decoded = unescape(entity);
                replacement = decoded.indexOf(';') >= 0 ? entity : decoded;
            }
            if (replacement == null) {
                continue;
            }
            if (out == null) {
                out = new StringBuilder(text.length());
            }
            out.append(text, last, m.start()).append(replacement);
            last = m.end();
        }
        if (out == null) {
            return text;
        }
        return out.append(text, last, text.length()).toString();
    }

    /** Python's {@code html._replace_charref} for the text after the ampersand. */
    private static String replaceCharref(String ref) {
        if (ref.charAt(0) == '#') {
            boolean hex = ref.charAt(1) == 'x' || ref.charAt(1) == 'X';
            int end = ref.endsWith(";") ? ref.length() - 1 : ref.length();
            return numericReference(parseCodePoint(ref, hex ? 2 : 1, end, hex ? 16 : 10));
        }
        String exact = NAMED.get(ref);
        if (exact != null) {
            return exact;
        }
        for (int x = ref.length() - 1; x > 1; x--) {
            String prefix = NAMED.get(ref.substring(0, x));
            if (prefix != null) {
                return prefix + ref.substring(x);
            }
        }
        return "&" + ref;
    }

    /** The number, or {@code Integer.MAX_VALUE} once it exceeds the Unicode range. */
    private static int parseCodePoint(String s, int from, int to, int radix) {
        long value = 0;
        for (int i = from; i < to; i++) {
            value = value * radix + Character.digit(s.charAt(i), radix);
            if (value > Character.MAX_CODE_POINT) {
                return Integer.MAX_VALUE;
            }
        }
        return (int) value;
    }

    private static String numericReference(int cp) {
        if (cp == 0) {
            return "\uFFFD";
        }
        if (cp == 0x0D) {
            return "\r";
        }
        if (cp >= 0x80 && cp <= 0x9F) {
            return String.valueOf(WINDOWS_1252_C1[cp - 0x80]);
        }
        if ((cp >= 0xD800 && cp <= 0xDFFF) || cp > Character.MAX_CODE_POINT) {
            return "\uFFFD";
        }
        if (isInvalidCodePoint(cp)) {
            return "";
        }
        return new String(Character.toChars(cp));
    }

    /** Python's {@code html._invalid_codepoints} (the 0x80–0x9F part is handled before). */
    private static boolean isInvalidCodePoint(int cp) {
        return (cp >= 0x01 && cp <= 0x08)
                || cp == 0x0B
                || (cp >= 0x0E && cp <= 0x1F)
                || cp == 0x7F
                || (cp >= 0xFDD0 && cp <= 0xFDEF)
                || (cp & 0xFFFE) == 0xFFFE;
    }

    private static Map<String, String> loadNamed() {
        Map<String, String> named = new HashMap<>(4096);
        try (InputStream in = HtmlEntities.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("missing class-path resource " + RESOURCE);
            }
            BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            String line;
            while ((line = reader.readLine()) != null) {
                if (line.isEmpty() || line.startsWith("#")) {
                    continue;
                }
                String[] parts = line.split(" ");
                StringBuilder value = new StringBuilder(2);
                for (int i = 1; i < parts.length; i++) {
                    value.appendCodePoint(Integer.parseInt(parts[i], 16));
                }
                named.put(parts[0], value.toString());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + RESOURCE, e);
        }
        return Collections.unmodifiableMap(named);
    }

    private static Map<String, String> buildStrict() {
        Map<String, String> strict = new HashMap<>(4096);
        for (Map.Entry<String, String> e : NAMED.entrySet()) {
            String name = e.getKey();
            if (!name.endsWith(";")) {
                continue;
            }
            strict.put("&" + name, e.getValue());
            if (name.equals(name.toLowerCase(Locale.ROOT))) {
                String upper = "&" + name.toUpperCase(Locale.ROOT);
                if (unescape(upper).equals(upper)) {
                    strict.put(upper, e.getValue().toUpperCase(Locale.ROOT));
                }
            }
        }
        return Collections.unmodifiableMap(strict);
    }
}
