package org.draglora.engine.clip;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.IOException;
import java.util.Arrays;
import org.draglora.engine.testing.Fixtures;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The clean-up in front of the BPE: Python's {@code html.unescape}, ftfy's strict unescape, the
 * ftfy subset of {@link TextCleaner} and CLIP's split. Expected values are the outputs of Python
 * 3.11, ftfy 6.1.1 (its documented examples and test cases) and the {@code regex} module.
 */
class ClipTokenizerCleanupTest {

    private static CLIPTokenizer huggingFace;
    private static CLIPTokenizer openAi;

    @BeforeAll
    static void load() throws IOException {
        huggingFace = CLIPTokenizer.load(Fixtures.path("clip-tokenizer/tokenizer"));
        openAi = huggingFace.withCleanup(CLIPTokenizer.Cleanup.OPENAI);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
        "&amp;amp;        | &amp;",
        "&ampx            | &x",
        "&notit;          | \u00ACit;",
        "&notin;          | \u2209",
        "&#39;            | '",
        "&#x27;           | '",
        "&#X41;           | A",
        "&#0;             | \uFFFD",
        "&#128;           | \u20AC",
        "&#xD800;         | \uFFFD",
        "&#x110000;       | \uFFFD",
        "&#99999999999999999999; | \uFFFD",
        "&#65             | A",
        "&unknown;        | &unknown;",
        "&lt              | <",
        "&LT;             | <",
        "&eacute          | \u00E9",
        "&Eacute;x        | \u00C9x",
        "a & b            | a & b",
        "&#x1F600;        | \uD83D\uDE00",
        "&acE;            | \u223E\u0333",
        "&#;              | &#;",
        "&#x;             | &#x;",
        "AT&T             | AT&T",
        "&copy2024        | \u00A92024",
    })
    void unescapesLikePythonsHtmlModule(String input, String expected) {
        assertEquals(expected, HtmlEntities.unescape(input));
    }

    @Test
    void unescapeDropsInvalidCodePoints() {
        assertEquals("", HtmlEntities.unescape("&#1;"));
        assertEquals("", HtmlEntities.unescape("&#xFFFE;"));
        assertEquals("\r", HtmlEntities.unescape("&#13;"));
        assertEquals("\u009D", HtmlEntities.unescape("&#x9d;"));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
        "&lt;tag&gt;                      | <tag>",
        "P&eacute;rez                     | P\u00E9rez",
        "P&EACUTE;REZ                     | P\u00C9REZ",
        "BUNDESSTRA&SZLIG;E               | BUNDESSTRASSE",
        "&ntilde; &Ntilde; &NTILDE; &nTILDE; | \u00F1 \u00D1 \u00D1 &nTILDE;",
        "&checkmark;                      | \u2713",
        "this&not that                    | this&not that",
        "&amp                             | &amp",
        "it&#x2019;s                      | it\u2019s",
        "&#xZZ;                           | &#xZZ;",
    })
    void unescapesStrictlyLikeFtfy(String input, String expected) {
        assertEquals(expected, HtmlEntities.unescapeStrict(input));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
        "\u00E2\u0153\u201D No problems               | \u2714 No problems",
        "&macr;\\_(\u00E3\u0083\u0084)_/&macr;         | \u00AF\\_(\u30C4)_/\u00AF",
        "\uFF2C\uFF2F\uFF35\uFF24\u3000\uFF2E\uFF2F\uFF29\uFF33\uFF25\uFF33 | LOUD NOISES",
        "\uFF35\uFF80\uFF70\uFF9D                       | U\u30BF\u30FC\u30F3",
        "\uFB02u\uFB03e\uFB06                          | fluffiest",
        "\u201Chere\u2019s a test\u201D               | \"here's a test\"",
        "\u00C4\u0152e\u00C5\u00A1tina                 | \u010Ce\u0161tina",
        "\u00CE\u2022\u00CE\u00BB\u00CE\u00BB\u00CE\u00B7\u00CE\u00BD\u00CE\u00B9\u00CE\u00BA\u00CE\u00AC | \u0395\u03BB\u03BB\u03B7\u03BD\u03B9\u03BA\u03AC",
        "Ti\u00E1\u00BA\u00BFng Vi\u00E1\u00BB\u2021t | Ti\u1EBFng Vi\u1EC7t",
        "\u00C3\u0192\u00C2\u00A9t\u00C3\u0192\u00C2\u00A9 | \u00E9t\u00E9",
        "\u00F0\u0178\u02DC\u20AC smile                | \uD83D\uDE00 smile",
        "\u00EF\u00BB\u00BFbom                         | bom",
        "I'm \u001B[36;44mblue\u001B[0m               | I'm blue",
        "a\u0000b\u007Fc\uFEFFd\u200Be                 | abcd\u200Be",
        "\u0080uro and \u0099                         | \u20ACuro and \u2122",
        "\u01C4\u01C5\u01C6 \u0132\u0133 \u0149 \uFB05 | D\u017DD\u017Ed\u017E IJij 'n \u017Ft",
        "e\u0301                                        | \u00E9",
        "Bront\u00EB\u2026\u201D                         | Bront\u00EB\u2026\"",
    })
    void fixesTextLikeFtfy(String input, String expected) {
        assertEquals(expected, TextCleaner.fixText(input));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
        "NESTL\u00C9\u00AE requiere",
        "RETWEET SE VOC\u00CA\u2026",
        "ESSE CARA AI QUEM \u00C9\u00BF",
        "Offering 5\u00D7\u00A335 pin ups",
        "I'm not such a fan of Charlotte Bront\u00EB\u2026 (sic)",
        "SELK\u00C4\u00A0EDELL\u00C4 MAAHAN",
        "a radius of 10 \u00C5\u2014",
        "caf\u00E9 na\u00EFve r\u00E9sum\u00E9 Zo\u00EB's \u00FCber-cool",
        "Stra\u00DFe \u00A9 2024 \u00BD \u00B0C",
    })
    void leavesLegitimateLatinTextAlone(String text) {
        assertEquals(text, TextCleaner.fixText(text));
    }

    @Test
    void htmlReferencesAreLeftAloneFromTheFirstLineWithALessThanSign() {
        assertEquals("a & b\n<i> &amp;\n&amp;", TextCleaner.fixText("a &amp; b\n<i> &amp;\n&amp;"));
        assertEquals("Tom & Jerry", TextCleaner.fixText("Tom &amp;amp; Jerry"));
    }

    @Test
    void fixesLineBreaksAndLoneSurrogates() {
        assertEquals("a\nb\nc\nd\ne", TextCleaner.fixText("a\r\nb\rc\u2028d\u2029e"));
        assertEquals("x\uFFFDy\uFFFD", TextCleaner.fixText("x\uDC00y\uD800"));
    }

    @Test
    void collapsesUnicodeWhiteSpace() {
        assertEquals("a b c d", TextCleaner.collapseWhitespace("\u00A0 a\t\u2003b\r\n\u3000c\u0085d \u202F"));
        assertEquals("a\u200Bb", TextCleaner.collapseWhitespace("a\u200Bb"));
        assertEquals("", TextCleaner.collapseWhitespace(" \t\n"));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
        "\u039F\u0394\u03A5\u03A3\u03A3\u0395\u03A5\u03A3 | \u03BF\u03B4\u03C5\u03C3\u03C3\u03B5\u03C5\u03C2",
        "\u0391\u03A3.                    | \u03B1\u03C2.",
        "\u0391\u03A3\"                  | \u03B1\u03C2\"",
        "\u0391\u03A3'\u0392             | \u03B1\u03C3'\u03B2",
        "\u0391\u03A3\u00AD\u0392       | \u03B1\u03C3\u00AD\u03B2",
        "\u0153\u030142\u03A3            | \u0153\u030142\u03C3",
        "\u03A3                            | \u03C3",
        "\u0130STANBUL                     | i\u0307stanbul",
    })
    void lowerCasesLikePython(String input, String expected) {
        assertEquals(expected, TextCleaner.lowerCase(input));
    }

    @Test
    void splitsLikeClipsPattern() {
        assertArrayEquals(ids("'s", "ingle", "'"), openAi.encode("\u2018single\u2019"));
        assertArrayEquals(ids("!'", "s"), openAi.encode("!'s"));
        assertArrayEquals(ids("!<|", "endoftext", "|>"), openAi.encode("!<|endoftext|>"));
        assertArrayEquals(ids("'\u017F", "t"), openAi.encode("'\u017Ft"));
        assertArrayEquals(ids("x", "y"), openAi.encode("x\u0345y"));
        assertArrayEquals(ids("1", "0", "8", "0", "p"), openAi.encode("1080p"));
        assertArrayEquals(new int[] {49407}, openAi.encode("<|ENDOFTEXT|>"));
    }

    @Test
    void theHuggingFaceCleanupSplitsOnSpecialTokensFirst() {
        assertArrayEquals(new int[] {256, 49407}, huggingFace.encode("!<|endoftext|>"));
        assertArrayEquals(new int[] {49406, 3306, 49407}, huggingFace.encode("<|startoftext|>hello<|endoftext|>"));
    }

    @Test
    void theOpenAiCleanupUnescapesHtmlTwice() {
        assertArrayEquals(huggingFace.encode("<b>&</b>"), openAi.encode("<b>&amp;amp;</b>"));
        assertArrayEquals(huggingFace.encode("a < b"), openAi.encode("a &lt; b"));
        assertFalse(Arrays.equals(huggingFace.encode("<i>&amp;</i>"), openAi.encode("<i>&amp;</i>")));
    }

    /** The ids the pieces get one by one: what the text gives if the split ends where they end. */
    private static int[] ids(String... pieces) {
        IntList ids = new IntList(pieces.length);
        for (String piece : pieces) {
            ids.addAll(huggingFace.encode(piece));
        }
        return ids.toArray();
    }
}
