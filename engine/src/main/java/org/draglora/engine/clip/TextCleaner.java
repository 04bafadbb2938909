package org.draglora.engine.clip;

import java.text.Normalizer;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The text clean-up in front of CLIP's BPE: a documented subset of {@code ftfy.fix_text} (ftfy
 * 6.1.1, default settings) and the whitespace clean-up of OpenAI's {@code simple_tokenizer.py}.
 *
 * <p>{@link #fixText} splits the text after each line break and repeats, per line, until nothing
 * changes, the ftfy steps in ftfy's order:
 *
 * <ol>
 *   <li>HTML references, ftfy's strict way ({@link HtmlEntities#unescapeStrict}); skipped from
 *       the first line that contains {@code <} onwards, as ftfy's {@code unescape_html="auto"} does.
 *   <li>Mojibake: UTF-8 that was decoded as Windows-1252 or Latin-1 (see {@link #fixMojibake}).
 *   <li>Left-over C1 controls read as Windows-1252.
 *   <li>Latin ligatures and digraphs split into their letters ({@code ﬁ}, {@code ǅ}, {@code Ĳ}, …).
 *   <li>Fullwidth and halfwidth forms (U+FF01–U+FFEF) and the ideographic space to their NFKC form.
 *   <li>Curly quotes and the modifier apostrophe straightened.
 *   <li>CR LF, CR, U+0085, U+2028 and U+2029 to LF.
 *   <li>Unpaired surrogates to U+FFFD.
 *   <li>ANSI terminal escapes ({@code ESC [ … letter}) removed.
 *   <li>Control characters removed (C0 except tab, LF, FF, CR; DEL; U+206A–U+206F; U+FEFF;
 *       U+FFF9–U+FFFC).
 *   <li>NFC.
 * </ol>
 *
 * <p>Not covered: ftfy's mojibake "badness" heuristic, replaced by the simpler plausibility rules
 * of {@link #fixMojibake} (on ftfy's own test cases they keep every legitimate text ftfy keeps,
 * but fix fewer broken ones); mojibake through other single-byte code pages (Windows-1250, 1251,
 * 1253, 1254, ISO 8859-2, MacRoman, CP437); spaces standing in for a lost byte 0xA0 ({@code Ã }
 * for {@code à}); lossy sequences that already contain U+FFFD; CESU-8 and Java's modified
 * UTF-8; and ftfy's one-million-character segment limit.
 */
final class TextCleaner {

    /** Windows-1252 bytes 0x80–0x9F; the five bytes it leaves undefined stay C1 controls. */
    private static final String WINDOWS_1252_HIGH =
            "\u20AC\u0081\u201A\u0192\u201E\u2026\u2020\u2021\u02C6\u2030\u0160\u2039\u0152\u008D\u017D\u008F"
                    + "\u0090\u2018\u2019\u201C\u201D\u2022\u2013\u2014\u02DC\u2122\u0161\u203A\u0153\u009D\u017E\u0178";

    /** Windows-1252 characters that may legitimately precede a word: quotes, dashes, ellipsis. */
    private static final String PUNCTUATION_CONTINUATIONS = "\u2018\u2019\u201A\u201C\u201D\u201E\u2013\u2014\u2026";

    /**
     * Continuation characters that are common after a letter in real text: those above, the
     * no-break space, the soft hyphen, the middle dot and the acute accent.
     */
    private static final String COMMON = PUNCTUATION_CONTINUATIONS + "\u00A0\u00AD\u00B7\u00B4";

    private static final int WIDTH_FIRST = 0xFF01;
    private static final int WIDTH_LAST = 0xFFEF;
    private static final String[] WIDTH_MAP = buildWidthMap();

    /** Word_Break MidLetter, MidNumLet and Single_Quote: case-ignorable punctuation. */
    private static final String WORD_INTERNAL_PUNCTUATION =
            "'.:\u00B7\u0387\u055F\u05F4\u2018\u2019\u2024\u2027\uFE13\uFE52\uFE55\uFF07\uFF0E\uFF1A";

    private static final Pattern TERMINAL_ESCAPE = Pattern.compile("\u001B\\[[\\p{Nd};]*[a-zA-Z]");

    private TextCleaner() {}

    /** The ftfy subset described in the class comment. */
    static String fixText(String text) {
        if (isPlainAscii(text)) {
            return text;
        }
        StringBuilder out = new StringBuilder(text.length());
        boolean unescapeHtml = true;
        int pos = 0;
        while (pos < text.length()) {
            int newline = text.indexOf('\n', pos);
            int end = newline < 0 ? text.length() : newline + 1;
            String segment = text.substring(pos, end);
            if (unescapeHtml && segment.indexOf('<') >= 0) {
                unescapeHtml = false;
            }
            out.append(fixSegment(segment, unescapeHtml));
            pos = end;
        }
        return out.toString();
    }

    /**
     * Every run of white space to one space, the ends trimmed: Python's
     * {@code re.sub(r"\s+", " ", text).strip()} for text ftfy has cleaned.
     */
    static String collapseWhitespace(String text) {
        StringBuilder out = new StringBuilder(text.length());
        boolean pendingSpace = false;
        int i = 0;
        while (i < text.length()) {
            int cp = text.codePointAt(i);
            i += Character.charCount(cp);
            if (isWhiteSpace(cp)) {
                pendingSpace = out.length() > 0;
                continue;
            }
            if (pendingSpace) {
                out.append(' ');
                pendingSpace = false;
            }
            out.appendCodePoint(cp);
        }
        return out.toString();
    }

    /** Unicode's {@code White_Space} property, which Python's {@code \s} matches. */
    static boolean isWhiteSpace(int cp) {
        if (cp < 0x80) {
            return cp == ' ' || (cp >= 0x09 && cp <= 0x0D);
        }
        return cp == 0x85 || cp == 0xA0 || cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200A)
                || cp == 0x2028 || cp == 0x2029 || cp == 0x202F || cp == 0x205F || cp == 0x3000;
    }

    /**
     * Python's {@code str.lower()}: the full Unicode lower-case mapping of {@link Locale#ROOT}
     * (so {@code İ} becomes {@code i} + U+0307), with the capital sigma lowered by Python's
     * Final_Sigma rule rather than Java's word-boundary one.
     */
    static String lowerCase(String text) {
        int sigma = text.indexOf('\u03A3');
        if (sigma < 0) {
            return text.toLowerCase(Locale.ROOT);
        }
        StringBuilder out = new StringBuilder(text.length());
        int from = 0;
        while (sigma >= 0) {
            out.append(text.substring(from, sigma).toLowerCase(Locale.ROOT));
            out.append(isFinalSigma(text, sigma) ? '\u03C2' : '\u03C3');
            from = sigma + 1;
            sigma = text.indexOf('\u03A3', from);
        }
        return out.append(text.substring(from).toLowerCase(Locale.ROOT)).toString();
    }

    /**
     * Whether the capital sigma at {@code index} is final: a cased letter precedes it and none
     * follows it, case-ignorable characters between them skipped (CPython's
     * {@code handle_capital_sigma}).
     */
    private static boolean isFinalSigma(String text, int index) {
        int before = index;
        int cp = -1;
        while (before > 0) {
            cp = text.codePointBefore(before);
            before -= Character.charCount(cp);
            if (!isCaseIgnorable(cp)) {
                break;
            }
            cp = -1;
        }
        if (cp < 0 || !isCased(cp)) {
            return false;
        }
        int after = index + 1;
        while (after < text.length()) {
            cp = text.codePointAt(after);
            if (!isCaseIgnorable(cp)) {
                return !isCased(cp);
            }
            after += Character.charCount(cp);
        }
        return true;
    }

    private static boolean isCased(int cp) {
        return Character.isLowerCase(cp) || Character.isUpperCase(cp) || Character.isTitleCase(cp);
    }

    /** Unicode's Case_Ignorable: marks, format characters, modifiers and word-internal punctuation. */
    private static boolean isCaseIgnorable(int cp) {
        return switch (Character.getType(cp)) {
            case Character.NON_SPACING_MARK, Character.ENCLOSING_MARK, Character.FORMAT,
                    Character.MODIFIER_LETTER, Character.MODIFIER_SYMBOL -> true;
            default -> WORD_INTERNAL_PUNCTUATION.indexOf(cp) >= 0;
        };
    }

    /** Printable ASCII, tab and LF without '&amp;': text that every step leaves alone. */
    private static boolean isPlainAscii(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if ((c < 0x20 && c != '\t' && c != '\n') || c > 0x7E || c == '&') {
                return false;
            }
        }
        return true;
    }

    private static String fixSegment(String segment, boolean unescapeHtml) {
        String text = segment;
        while (true) {
            String before = text;
            if (unescapeHtml) {
                text = HtmlEntities.unescapeStrict(text);
            }
            text = fixMojibake(text);
            text = fixC1Controls(text);
            text = fixLatinLigatures(text);
            text = fixCharacterWidth(text);
            text = uncurlQuotes(text);
            text = fixLineBreaks(text);
            text = fixSurrogates(text);
            text = TERMINAL_ESCAPE.matcher(text).replaceAll("");
            text = removeControlChars(text);
            if (!Normalizer.isNormalized(text, Normalizer.Form.NFC)) {
                text = Normalizer.normalize(text, Normalizer.Form.NFC);
            }
            if (text.equals(before)) {
                return text;
            }
        }
    }

    /**
     * Re-decodes UTF-8 that was decoded as Windows-1252 or Latin-1.
     *
     * <p>Each character is mapped back to the byte it came from (ASCII, Latin-1 including the C1
     * controls, or the Windows-1252 characters of 0x80–0x9F). A group is a lead byte followed by
     * the continuation bytes that make a valid, shortest-form UTF-8 sequence. A run of adjacent
     * groups is not started right after a stray continuation character other than the quotes,
     * dashes and the ellipsis (so that a piece of a larger garble is left alone, as in ftfy), and
     * it is replaced by the characters it encodes when it looks like mojibake rather than text:
     *
     * <ul>
     *   <li>it has two or more groups ({@code Î»Î¬} for {@code λά}, {@code Ã¢â‚¬â„¢}), or
     *   <li>its group starts with {@code Â} or {@code Ã} (U+0080–U+00FF, the most common case,
     *       {@code cafÃ©}), unless {@code ’} or {@code …} follows, which end capitalised words, or
     *       with {@code â} (U+2000–U+2FFF: punctuation, symbols, box drawing; {@code â€™}), or
     *   <li>none of its continuation characters is common after a letter (quotes, dashes,
     *       ellipsis, no-break space, soft hyphen, middle dot, acute accent), and it is three or
     *       four bytes long (CJK, emoji: {@code ðŸ˜€}), or it starts with {@code Ä Å Î Ï Ð Ñ}
     *       (Latin Extended-A, Greek, Cyrillic) and a lower-case letter is next to it
     *       ({@code Å¡kola}).
     * </ul>
     *
     * <p>So {@code NESTLÉ®}, {@code VOCÊ…}, {@code Brontë…”} or {@code 5×£35} stay as they are.
     * Decoding is repeated until nothing changes, for double mojibake such as {@code ÃƒÂ©}.
     */
    static String fixMojibake(String text) {
        String current = text;
        while (true) {
            String fixed = fixMojibakeOnce(current);
            if (fixed == current) {
                return current;
            }
            current = fixed;
        }
    }

    private static String fixMojibakeOnce(String text) {
        StringBuilder out = null;
        int n = text.length();
        int i = 0;
        while (i < n) {
            if (i == 0 || !isStrayContinuation(text.charAt(i - 1))) {
                int end = i;
                int groups = 0;
                while (end < n && groupLength(text, end) > 0) {
                    end += groupLength(text, end);
                    groups++;
                }
                if (groups > 0 && looksLikeMojibake(text, i, end, groups)) {
                    if (out == null) {
                        out = new StringBuilder(n).append(text, 0, i);
                    }
                    for (int g = i; g < end; g += groupLength(text, g)) {
                        out.appendCodePoint(decodeGroup(text, g));
                    }
                    i = end;
                    continue;
                }
            }
            if (out != null) {
                out.append(text.charAt(i));
            }
            i++;
        }
        return out == null ? text : out.toString();
    }

    private static boolean looksLikeMojibake(String text, int start, int end, int groups) {
        if (groups >= 2) {
            return true;
        }
        int lead = latinByte(text.charAt(start));
        if (lead == 0xC2 || lead == 0xC3) {
            char continuation = text.charAt(start + 1);
            return continuation != '\u2019' && continuation != '\u2026';
        }
        if (lead == 0xE2) {
            return true;
        }
        int common = 0;
        for (int k = start + 1; k < end; k++) {
            common += COMMON.indexOf(text.charAt(k)) >= 0 ? 1 : 0;
        }
        if (end - start > 2) {
            return common == 0;
        }
        boolean letters = lead == 0xC4 || lead == 0xC5 || (lead >= 0xCE && lead <= 0xD1);
        return letters
                && common == 0
                && ((start > 0 && Character.isLowerCase(text.charAt(start - 1)))
                        || (end < text.length() && Character.isLowerCase(text.charAt(end))));
    }

    /** The byte a character decodes from in Latin-1 or Windows-1252, or -1. */
    private static int latinByte(char c) {
        if (c <= 0xFF) {
            return c;
        }
        int index = WINDOWS_1252_HIGH.indexOf(c);
        return index < 0 ? -1 : 0x80 + index;
    }

    private static int continuationCount(int lead) {
        if (lead >= 0xC2 && lead <= 0xDF) {
            return 1;
        }
        if (lead >= 0xE0 && lead <= 0xEF) {
            return 2;
        }
        if (lead >= 0xF0 && lead <= 0xF4) {
            return 3;
        }
        return 0;
    }

    /** The length of the valid UTF-8 group at {@code start}, or 0. */
    private static int groupLength(String text, int start) {
        int continuations = continuationCount(latinByte(text.charAt(start)));
        if (continuations == 0 || start + continuations >= text.length()) {
            return 0;
        }
        return decodeGroup(text, start) >= 0 ? continuations + 1 : 0;
    }

    /** The code point of the UTF-8 group at {@code start}, or -1 if it is not valid. */
    private static int decodeGroup(String text, int start) {
        int lead = latinByte(text.charAt(start));
        int continuations = continuationCount(lead);
        int cp = lead & (0x3F >> continuations);
        for (int k = 1; k <= continuations; k++) {
            int b = latinByte(text.charAt(start + k));
            if (b < 0x80 || b > 0xBF) {
                return -1;
            }
            cp = (cp << 6) | (b & 0x3F);
        }
        boolean shortest = continuations == 1 || (continuations == 2 ? cp >= 0x800 : cp >= 0x10000);
        boolean valid = cp <= Character.MAX_CODE_POINT && (cp < 0xD800 || cp > 0xDFFF);
        return shortest && valid ? cp : -1;
    }

    private static boolean isStrayContinuation(char c) {
        int b = latinByte(c);
        return b >= 0x80 && b <= 0xBF && PUNCTUATION_CONTINUATIONS.indexOf(c) < 0;
    }

    /** ftfy's {@code fix_c1_controls}: C1 controls as the Windows-1252 characters they stand for. */
    private static String fixC1Controls(String text) {
        StringBuilder out = null;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c >= 0x80 && c <= 0x9F) {
                if (out == null) {
                    out = new StringBuilder(text.length()).append(text, 0, i);
                }
                out.append(WINDOWS_1252_HIGH.charAt(c - 0x80));
            } else if (out != null) {
                out.append(c);
            }
        }
        return out == null ? text : out.toString();
    }

    /**
     * ftfy's {@code fix_latin_ligatures}: the compatibility decomposition of the Latin ligatures
     * U+FB00–U+FB06 and of the digraphs U+0132, U+0133, U+0149, U+01C4–U+01CC, U+01F1–U+01F3,
     * except that the long s of {@code ﬅ} is kept.
     */
    private static String ligature(char c) {
        return switch (c) {
            case '\u0132' -> "IJ";
            case '\u0133' -> "ij";
            case '\u0149' -> "\u02BCn";
            case '\u01C4' -> "D\u017D";
            case '\u01C5' -> "D\u017E";
            case '\u01C6' -> "d\u017E";
            case '\u01C7' -> "LJ";
            case '\u01C8' -> "Lj";
            case '\u01C9' -> "lj";
            case '\u01CA' -> "NJ";
            case '\u01CB' -> "Nj";
            case '\u01CC' -> "nj";
            case '\u01F1' -> "DZ";
            case '\u01F2' -> "Dz";
            case '\u01F3' -> "dz";
            case '\uFB00' -> "ff";
            case '\uFB01' -> "fi";
            case '\uFB02' -> "fl";
            case '\uFB03' -> "ffi";
            case '\uFB04' -> "ffl";
            case '\uFB05' -> "\u017Ft";
            case '\uFB06' -> "st";
            default -> null;
        };
    }

    private static String fixLatinLigatures(String text) {
        StringBuilder out = null;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            String replacement = c < 0x132 ? null : ligature(c);
            if (replacement != null) {
                if (out == null) {
                    out = new StringBuilder(text.length() + 8).append(text, 0, i);
                }
                out.append(replacement);
            } else if (out != null) {
                out.append(c);
            }
        }
        return out == null ? text : out.toString();
    }

    private static String[] buildWidthMap() {
        String[] map = new String[WIDTH_LAST - WIDTH_FIRST + 1];
        for (int c = WIDTH_FIRST; c <= WIDTH_LAST; c++) {
            String s = String.valueOf((char) c);
            String normal = Normalizer.normalize(s, Normalizer.Form.NFKC);
            map[c - WIDTH_FIRST] = normal.equals(s) ? null : normal;
        }
        return map;
    }

    /** ftfy's {@code fix_character_width}: NFKC for U+FF01–U+FFEF, and U+3000 to a space. */
    private static String fixCharacterWidth(String text) {
        StringBuilder out = null;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            String replacement = null;
            if (c == '\u3000') {
                replacement = " ";
            } else if (c >= WIDTH_FIRST && c <= WIDTH_LAST) {
                replacement = WIDTH_MAP[c - WIDTH_FIRST];
            }
            if (replacement != null) {
                if (out == null) {
                    out = new StringBuilder(text.length()).append(text, 0, i);
                }
                out.append(replacement);
            } else if (out != null) {
                out.append(c);
            }
        }
        return out == null ? text : out.toString();
    }

    /** ftfy's {@code uncurl_quotes}: U+02BC and U+2018–U+201B to ', U+201C–U+201F to ". */
    private static String uncurlQuotes(String text) {
        StringBuilder out = null;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            char replacement = c;
            if (c == '\u02BC' || (c >= '\u2018' && c <= '\u201B')) {
                replacement = '\'';
            } else if (c >= '\u201C' && c <= '\u201F') {
                replacement = '"';
            }
            if (replacement != c && out == null) {
                out = new StringBuilder(text.length()).append(text, 0, i);
            }
            if (out != null) {
                out.append(replacement);
            }
        }
        return out == null ? text : out.toString();
    }

    /** ftfy's {@code fix_line_breaks}. */
    private static String fixLineBreaks(String text) {
        StringBuilder out = null;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            boolean lineBreak = c == '\r' || c == '\u0085' || c == '\u2028' || c == '\u2029';
            if (lineBreak && out == null) {
                out = new StringBuilder(text.length()).append(text, 0, i);
            }
            if (out != null) {
                if (c == '\r' && i + 1 < text.length() && text.charAt(i + 1) == '\n') {
                    continue;
                }
                out.append(lineBreak ? '\n' : c);
            }
        }
        return out == null ? text : out.toString();
    }

    /** ftfy's {@code fix_surrogates}: paired surrogates already are one code point in Java. */
    private static String fixSurrogates(String text) {
        StringBuilder out = null;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            boolean pairedHigh = Character.isHighSurrogate(c)
                    && i + 1 < text.length()
                    && Character.isLowSurrogate(text.charAt(i + 1));
            if (pairedHigh) {
                if (out != null) {
                    out.append(c).append(text.charAt(i + 1));
                }
                i++;
                continue;
            }
            boolean lone = Character.isSurrogate(c);
            if (lone && out == null) {
                out = new StringBuilder(text.length()).append(text, 0, i);
            }
            if (out != null) {
                out.append(lone ? '\uFFFD' : c);
            }
        }
        return out == null ? text : out.toString();
    }

    private static boolean isRemovedControl(char c) {
        return (c <= 0x08)
                || c == 0x0B
                || (c >= 0x0E && c <= 0x1F)
                || c == 0x7F
                || (c >= '\u206A' && c <= '\u206F')
                || c == '\uFEFF'
                || (c >= '\uFFF9' && c <= '\uFFFC');
    }

    /** ftfy's {@code remove_control_chars}. */
    private static String removeControlChars(String text) {
        StringBuilder out = null;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            boolean removed = isRemovedControl(c);
            if (removed && out == null) {
                out = new StringBuilder(text.length()).append(text, 0, i);
            }
            if (out != null && !removed) {
                out.append(c);
            }
        }
        return out == null ? text : out.toString();
    }
}
