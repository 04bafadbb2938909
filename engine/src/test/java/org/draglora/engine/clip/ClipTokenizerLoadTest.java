package org.draglora.engine.clip;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import org.draglora.engine.testing.Fixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Loading {@link CLIPTokenizer} folders: settings, SD 2.x padding, and broken or missing files. */
class ClipTokenizerLoadTest {

    private static final Path FIXTURE = Fixtures.path("clip-tokenizer/tokenizer");

    @TempDir
    Path dir;

    /** A tokenizer folder with the fixture's vocabulary and merges and the given config files. */
    private Path folder(String tokenizerConfig, String specialTokensMap) throws IOException {
        Files.copy(FIXTURE.resolve("vocab.json"), dir.resolve("vocab.json"));
        Files.copy(FIXTURE.resolve("merges.txt"), dir.resolve("merges.txt"));
        if (tokenizerConfig != null) {
            Files.writeString(dir.resolve("tokenizer_config.json"), tokenizerConfig);
        }
        if (specialTokensMap != null) {
            Files.writeString(dir.resolve("special_tokens_map.json"), specialTokensMap);
        }
        return dir;
    }

    private static long[] sdLayout(int maxLength, long pad, long... ids) {
        long[] layout = new long[maxLength];
        Arrays.fill(layout, pad);
        layout[0] = 49406;
        System.arraycopy(ids, 0, layout, 1, ids.length);
        layout[ids.length + 1] = 49407;
        return layout;
    }

    @Test
    void padsWithExclamationMarkLikeSd2() throws IOException {
        CLIPTokenizer sd2 = CLIPTokenizer.load(folder(
                "{\"model_max_length\": 77, \"pad_token\": \"<|endoftext|>\"}",
                "{\"pad_token\": {\"content\": \"!\", \"lstrip\": false, \"normalized\": false}}"));
        assertEquals(0, sd2.padId());
        assertArrayEquals(sdLayout(77, 0, 320, 1125), sd2.tokenize("a photo").inputIds());
        // diffusers issue 4153: transformers splits the pad token '!' off as a special token.
        assertArrayEquals(sdLayout(77, 0, 0, 0, 0, 0, 0, 0), sd2.tokenize("! !! !!!").inputIds());
        // OpenAI's and open_clip's tokenizer keep the BPE of '!', '!!' and '!!!'.
        CLIPTokenizer openAi = sd2.withCleanup(CLIPTokenizer.Cleanup.OPENAI);
        assertArrayEquals(sdLayout(77, 0, 256, 748, 995), openAi.tokenize("! !! !!!").inputIds());
    }

    @Test
    void readsMaxLengthAndTokenObjects() throws IOException {
        CLIPTokenizer tokenizer = CLIPTokenizer.load(folder(
                "{\"model_max_length\": 6, \"bos_token\": {\"content\": \"<|startoftext|>\"}}", null));
        assertEquals(6, tokenizer.maxLength());
        CLIPTokenizer.Tokenized t = tokenizer.tokenize("a photo of a cat");
        assertArrayEquals(new long[] {49406, 320, 1125, 539, 320, 49407}, t.inputIds());
        assertEquals(6, t.length());
        assertTrue(t.truncated());
        CLIPTokenizer.Tokenized exact = tokenizer.tokenize("a photo of a");
        assertFalse(exact.truncated());
        assertEquals(6, exact.length());
    }

    @Test
    void withoutConfigFilesUsesSd15Defaults() throws IOException {
        CLIPTokenizer tokenizer = CLIPTokenizer.load(folder(null, null));
        assertEquals(77, tokenizer.maxLength());
        assertEquals(49407, tokenizer.padId());
        assertArrayEquals(sdLayout(77, 49407, 320, 2368), tokenizer.tokenize("a cat").inputIds());
    }

    @Test
    void acceptsAModelFolderWithATokenizerSubfolder() throws IOException {
        CLIPTokenizer tokenizer = CLIPTokenizer.load(FIXTURE.getParent());
        assertEquals(49408, tokenizer.vocabularySize());
    }

    @Test
    void nullPromptIsAnError() throws IOException {
        CLIPTokenizer tokenizer = CLIPTokenizer.load(FIXTURE);
        assertThrows(NullPointerException.class, () -> tokenizer.tokenize(null));
        assertThrows(NullPointerException.class, () -> tokenizer.encode(null));
    }

    @Test
    void missingFolderOrVocabularyNamesThePath() throws IOException {
        NoSuchFileException noFolder =
                assertThrows(NoSuchFileException.class, () -> CLIPTokenizer.load(dir.resolve("nowhere")));
        assertTrue(noFolder.getMessage().contains("nowhere"), noFolder.getMessage());
        Files.copy(FIXTURE.resolve("merges.txt"), dir.resolve("merges.txt"));
        NoSuchFileException noVocab = assertThrows(NoSuchFileException.class, () -> CLIPTokenizer.load(dir));
        assertTrue(noVocab.getMessage().contains("vocab.json"), noVocab.getMessage());
    }

    @Test
    void missingMergesNamesTheFile() throws IOException {
        Files.copy(FIXTURE.resolve("vocab.json"), dir.resolve("vocab.json"));
        NoSuchFileException e = assertThrows(NoSuchFileException.class, () -> CLIPTokenizer.load(dir));
        assertTrue(e.getMessage().contains("merges.txt"), e.getMessage());
    }

    @Test
    void corruptMergesLineNamesFileAndLine() throws IOException {
        Files.copy(FIXTURE.resolve("vocab.json"), dir.resolve("vocab.json"));
        Files.writeString(dir.resolve("merges.txt"), "#version: 0.2\ni n\nt h e\n");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> CLIPTokenizer.load(dir));
        assertTrue(e.getMessage().contains("merges.txt line 3"), e.getMessage());
        Files.writeString(dir.resolve("merges.txt"), "#version: 0.2\ni n\nth\n");
        e = assertThrows(IllegalArgumentException.class, () -> CLIPTokenizer.load(dir));
        assertTrue(e.getMessage().contains("merges.txt line 3"), e.getMessage());
    }

    @Test
    void mergeOutsideTheVocabularyNamesTheLine() throws IOException {
        Files.copy(FIXTURE.resolve("vocab.json"), dir.resolve("vocab.json"));
        Files.writeString(dir.resolve("merges.txt"), "#version: 0.2\ni n\nq\u00E9 zz\n");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> CLIPTokenizer.load(dir));
        assertTrue(e.getMessage().contains("line 3"), e.getMessage());
        assertTrue(e.getMessage().contains("vocab.json"), e.getMessage());
    }

    @Test
    void corruptVocabularyNamesTheFile() throws IOException {
        Files.copy(FIXTURE.resolve("merges.txt"), dir.resolve("merges.txt"));
        Files.writeString(dir.resolve("vocab.json"), "{\"a\": 0, \"b\": ");
        IOException truncated = assertThrows(IOException.class, () -> CLIPTokenizer.load(dir));
        assertTrue(truncated.getMessage().contains("vocab.json"), truncated.getMessage());
        Files.writeString(dir.resolve("vocab.json"), "{\"a\": \"zero\"}");
        IllegalArgumentException wrongId = assertThrows(IllegalArgumentException.class, () -> CLIPTokenizer.load(dir));
        assertTrue(wrongId.getMessage().contains("vocab.json"), wrongId.getMessage());
        Files.writeString(dir.resolve("vocab.json"), "[1, 2]");
        assertThrows(IllegalArgumentException.class, () -> CLIPTokenizer.load(dir));
    }

    @Test
    void badSettingsNameTheFile() throws IOException {
        folder("{\"model_max_length\": 1e30}", "{\"pad_token\": \"<|nothere|>\"}");
        IllegalArgumentException maxLength = assertThrows(IllegalArgumentException.class, () -> CLIPTokenizer.load(dir));
        assertTrue(maxLength.getMessage().contains("tokenizer_config.json"), maxLength.getMessage());
        Files.writeString(dir.resolve("tokenizer_config.json"), "{}", StandardCharsets.UTF_8);
        IllegalArgumentException pad = assertThrows(IllegalArgumentException.class, () -> CLIPTokenizer.load(dir));
        assertTrue(pad.getMessage().contains("special_tokens_map.json"), pad.getMessage());
        assertTrue(pad.getMessage().contains("<|nothere|>"), pad.getMessage());
        Files.writeString(dir.resolve("special_tokens_map.json"), "{\"pad_token\": 7}", StandardCharsets.UTF_8);
        assertThrows(IllegalArgumentException.class, () -> CLIPTokenizer.load(dir));
    }

    @Test
    void openAiBpeFileMustBeGzip() throws IOException {
        Path notGzip = Files.writeString(dir.resolve("bpe.txt.gz"), "#version: 0.2\ni n\n");
        IOException e = assertThrows(IOException.class,
                () -> CLIPTokenizer.fromOpenAiBpe(notGzip, CLIPTokenizer.Cleanup.OPENAI));
        assertTrue(e.getMessage().contains("bpe.txt.gz"), e.getMessage());
    }
}
