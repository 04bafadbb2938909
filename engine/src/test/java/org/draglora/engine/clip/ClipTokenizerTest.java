package org.draglora.engine.clip;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.Arrays;
import java.util.Map;
import java.util.stream.IntStream;
import org.draglora.engine.testing.Fixtures;
import org.draglora.engine.weights.SafetensorsFile;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link CLIPTokenizer} against the 32 prompts of the {@code clip-tokenizer} fixture: ids of
 * transformers' {@code CLIPTokenizer} and OpenAI's {@code SimpleTokenizer}, raw BPE ids, ftfy's
 * text and the id tensors of {@code token_ids.safetensors}.
 */
class ClipTokenizerTest {

    private static final int PROMPTS = 32;

    private static CLIPTokenizer huggingFace;
    private static CLIPTokenizer openAi;
    private static JsonNode prompts;

    @BeforeAll
    static void load() throws IOException {
        huggingFace = CLIPTokenizer.load(Fixtures.path("clip-tokenizer/tokenizer"));
        openAi = huggingFace.withCleanup(CLIPTokenizer.Cleanup.OPENAI);
        prompts = new ObjectMapper().readTree(Fixtures.path("clip-tokenizer/prompts.json").toFile());
    }

    static IntStream promptIndices() {
        return IntStream.range(0, PROMPTS);
    }

    private static long[] longs(JsonNode array) {
        long[] values = new long[array.size()];
        for (int i = 0; i < values.length; i++) {
            values[i] = array.get(i).longValue();
        }
        return values;
    }

    private static int[] ints(JsonNode array) {
        return Arrays.stream(longs(array)).mapToInt(Math::toIntExact).toArray();
    }

    private static String prompt(int i) {
        return prompts.get(i).get("prompt").textValue();
    }

    @Test
    void loadsTheSd15Settings() {
        assertEquals(PROMPTS, prompts.size());
        assertEquals(77, huggingFace.maxLength());
        assertEquals(49406, huggingFace.bosId());
        assertEquals(49407, huggingFace.eosId());
        assertEquals(49407, huggingFace.padId());
        assertEquals(49408, huggingFace.vocabularySize());
        assertEquals(CLIPTokenizer.Cleanup.HUGGINGFACE, huggingFace.cleanup());
        assertSame(huggingFace, huggingFace.withCleanup(CLIPTokenizer.Cleanup.HUGGINGFACE));
    }

    @ParameterizedTest(name = "prompt {0}")
    @MethodSource("promptIndices")
    void huggingFaceInputIds(int i) {
        JsonNode p = prompts.get(i);
        CLIPTokenizer.Tokenized t = huggingFace.tokenize(prompt(i));
        assertArrayEquals(longs(p.get("hf_clip_tokenizer_input_ids")), t.inputIds(), prompt(i));
        JsonNode mask = p.has("hf_attention_mask") ? p.get("hf_attention_mask") : p.get("attention_mask");
        assertEquals(Arrays.stream(longs(mask)).sum(), t.length());
        assertEquals(p.get("truncated").booleanValue(), t.truncated());
    }

    @ParameterizedTest(name = "prompt {0}")
    @MethodSource("promptIndices")
    void openAiInputIds(int i) {
        JsonNode p = prompts.get(i);
        CLIPTokenizer.Tokenized t = openAi.tokenize(prompt(i));
        assertArrayEquals(longs(p.get("input_ids")), t.inputIds(), prompt(i));
        assertEquals(Arrays.stream(longs(p.get("attention_mask"))).sum(), t.length());
        assertEquals(p.get("truncated").booleanValue(), t.truncated());
    }

    @ParameterizedTest(name = "prompt {0}")
    @MethodSource("promptIndices")
    void rawBpeIds(int i) {
        JsonNode p = prompts.get(i);
        int[] expected = ints(p.get("bpe_ids"));
        int[] ids = openAi.encode(prompt(i));
        assertArrayEquals(expected, ids, prompt(i));
        assertEquals(p.get("num_bpe_tokens").intValue(), ids.length);
        if (p.get("hf_matches_openai").booleanValue()) {
            assertArrayEquals(expected, huggingFace.encode(prompt(i)), prompt(i));
        }
        assertEquals(p.get("decoded").textValue(), openAi.decode(ids));
    }

    @ParameterizedTest(name = "prompt {0}")
    @MethodSource("promptIndices")
    void ftfySubsetGivesFtfysText(int i) {
        JsonNode p = prompts.get(i);
        assertEquals(p.get("text_after_ftfy_fix_text").textValue(), TextCleaner.fixText(prompt(i)));
    }

    @Test
    void matchesTheSafetensorsIdTensors() throws IOException {
        long[] inputIds;
        long[] attentionMask;
        long[] hfInputIds;
        try (SafetensorsFile file = SafetensorsFile.open(Fixtures.path("clip-tokenizer/token_ids.safetensors"))) {
            inputIds = file.readLongs("input_ids");
            attentionMask = file.readLongs("attention_mask");
            hfInputIds = file.readLongs("hf_input_ids");
        }
        assertEquals(PROMPTS * 77, inputIds.length);
        assertEquals(PROMPTS * 77, hfInputIds.length);
        for (int i = 0; i < PROMPTS; i++) {
            CLIPTokenizer.Tokenized o = openAi.tokenize(prompt(i));
            CLIPTokenizer.Tokenized h = huggingFace.tokenize(prompt(i));
            assertArrayEquals(Arrays.copyOfRange(inputIds, i * 77, i * 77 + 77), o.inputIds(), "row " + i);
            assertArrayEquals(Arrays.copyOfRange(hfInputIds, i * 77, i * 77 + 77), h.inputIds(), "hf row " + i);
            for (int j = 0; j < 77; j++) {
                assertEquals(j < o.length() ? 1 : 0, attentionMask[i * 77 + j], "mask " + i + "," + j);
            }
        }
    }

    @Test
    void onlyPrompt16DependsOnTheCleanup() {
        for (int i = 0; i < PROMPTS; i++) {
            boolean same = Arrays.equals(openAi.tokenize(prompt(i)).inputIds(), huggingFace.tokenize(prompt(i)).inputIds());
            assertEquals(i != 16, same, "prompt " + i);
        }
    }

    @Test
    void openAiBpeFileGivesTheSameVocabularyAndIds() throws IOException {
        CLIPTokenizer fromGz = CLIPTokenizer.fromOpenAiBpe(
                Fixtures.path("clip-tokenizer/bpe_simple_vocab_16e6.txt.gz"), CLIPTokenizer.Cleanup.OPENAI);
        assertEquals(49408, fromGz.vocabularySize());
        JsonNode vocab = new ObjectMapper().readTree(Fixtures.path("clip-tokenizer/tokenizer/vocab.json").toFile());
        for (Map.Entry<String, JsonNode> e : vocab.properties()) {
            assertEquals(e.getValue().intValue(), fromGz.tokenId(e.getKey()), e.getKey());
        }
        for (int i = 0; i < PROMPTS; i++) {
            assertArrayEquals(longs(prompts.get(i).get("input_ids")), fromGz.tokenize(prompt(i)).inputIds());
        }
    }

    @Test
    void emptyAndBlankPromptsAreBosEosAndPadding() {
        for (String blank : new String[] {"", " ", "\t\n\u00A0\u3000"}) {
            CLIPTokenizer.Tokenized t = huggingFace.tokenize(blank);
            assertEquals(2, t.length());
            assertEquals(49406, t.inputIds()[0]);
            assertTrue(Arrays.stream(t.inputIds(), 1, 77).allMatch(id -> id == 49407));
            assertEquals(0, huggingFace.encode(blank).length);
        }
    }

    @Test
    void tokenizedIsAValue() {
        CLIPTokenizer.Tokenized a = huggingFace.tokenize("a photo of a cat");
        CLIPTokenizer.Tokenized b = huggingFace.tokenize("A  Photo of a CAT");
        assertEquals(a, b);
        assertEquals(a.hashCode(), b.hashCode());
        assertTrue(a.toString().startsWith("Tokenized[inputIds=[49406, 320, 1125"));
    }

    @Test
    void tokenizingIsFastAfterLoading() {
        String prompt = prompt(29);
        for (int i = 0; i < 2_000; i++) {
            huggingFace.tokenize(prompt);
        }
        int rounds = 2_000;
        long start = System.nanoTime();
        for (int i = 0; i < rounds; i++) {
            huggingFace.tokenize(prompt);
        }
        long perPromptMicros = (System.nanoTime() - start) / rounds / 1_000;
        assertTrue(perPromptMicros < 1_000, "a 120-token prompt took " + perPromptMicros + " µs");
    }
}
