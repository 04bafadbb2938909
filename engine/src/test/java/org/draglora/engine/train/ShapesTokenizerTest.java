package org.draglora.engine.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import org.draglora.engine.clip.CLIPTokenizer;
import org.draglora.engine.shapes.DragKind;
import org.draglora.engine.shapes.DragTaskGenerator;
import org.draglora.engine.shapes.Scene;
import org.draglora.engine.shapes.SceneGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The embedded model's tokenizer, read back by the CLIP tokenizer code: one token per prompt word. */
class ShapesTokenizerTest {

    @TempDir
    Path dir;

    @Test
    void everyPromptWordIsOneTokenAndEveryScenePromptFits() throws Exception {
        ShapesTokenizer.write(dir, TinyModelSpec.MAX_TOKENS);
        CLIPTokenizer tok = CLIPTokenizer.load(dir);
        int bos = TinyModelSpec.VOCAB - 2;
        int eos = TinyModelSpec.VOCAB - 1;
        Set<Long> wordIds = new HashSet<>();
        for (String word : Scene.promptWords()) {
            CLIPTokenizer.Tokenized t = tok.tokenize(word);
            assertEquals(1, t.length() - 2, "'" + word + "' is one token");
            assertTrue(wordIds.add(t.inputIds()[1]), "'" + word + "' has a token of its own");
            assertEquals(word, tok.decode((int) t.inputIds()[1]).trim());
        }
        int longest = 0;
        for (long seed = 0; seed < 2000; seed++) {
            Scene scene = seed % 2 == 0 ? SceneGenerator.generate(seed, 64, 64)
                    : DragTaskGenerator.generate(seed, 64, 64, DragKind.values()[(int) (seed / 2 % DragKind.values().length)])
                            .scene();
            String prompt = scene.prompt();
            CLIPTokenizer.Tokenized t = tok.tokenize(prompt);
            assertFalse(t.truncated(), "fits in " + TinyModelSpec.MAX_TOKENS + ": " + prompt);
            long[] ids = t.inputIds();
            assertEquals(bos, ids[0]);
            assertEquals(eos, ids[t.length() - 1]);
            int words = prompt.replace(",", " ,").split(" ").length;
            assertEquals(words, t.length() - 2, "one token per word and comma: " + prompt);
            longest = Math.max(longest, t.length());
        }
        assertTrue(longest > 16, "three-object prompts are longer than the first version's 16 tokens: " + longest);
        // other text still tokenizes, byte by byte, below the word tokens
        CLIPTokenizer.Tokenized other = tok.tokenize("zebra");
        assertEquals(5, other.length() - 2);
        for (int i = 1; i <= 5; i++) {
            assertTrue(other.inputIds()[i] < 512, "a byte symbol");
        }
    }
}
