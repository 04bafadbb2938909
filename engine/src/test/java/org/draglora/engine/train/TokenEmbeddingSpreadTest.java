package org.draglora.engine.train;

import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.nio.file.Path;
import org.draglora.engine.clip.CLIPTextModel;
import org.draglora.engine.clip.CLIPTokenizer;
import org.draglora.engine.runtime.EngineRuntime;
import org.draglora.engine.runtime.NoGrad;
import org.draglora.engine.weights.WeightScope;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Why the shipped text encoder's token embeddings have standard deviation 1: with the fan-in
 * spread a frozen random encoder keeps two prompts that differ in one word nearly alike at that
 * word, with std 1 the word dominates its position and part of it still reaches the next word.
 */
class TokenEmbeddingSpreadTest {

    @Test
    void aWiderSpreadKeepsWordsApartAndStillCarriesColourToTheShape(@TempDir Path dir) throws Exception {
        ShapesTokenizer.write(dir, TinyModelSpec.MAX_TOKENS);
        CLIPTokenizer tokenizer = CLIPTokenizer.load(dir);
        double[] narrow = similarities(tokenizer, TinyModelSpec.FAN_IN_TOKEN_EMBEDDING_STD);
        double[] wide = similarities(tokenizer, 1.0);
        // [0]: "black" vs "yellow" at their own position; [1]: the following "ring" after each colour
        assertTrue(narrow[0] > 0.7, "fan-in spread: the colour words look alike, cosine " + narrow[0]);
        assertTrue(wide[0] < 0.6, "std 1: the colour words are apart, cosine " + wide[0]);
        assertTrue(wide[1] < 0.97, "std 1: the shape word after them still differs by its colour, cosine " + wide[1]);
    }

    /** Cosines between "a black ring ..." and "a yellow ring ..." at the colour and the shape position. */
    private static double[] similarities(CLIPTokenizer tokenizer, double std) {
        EngineRuntime rt = EngineRuntime.cpu();
        try (NDManager m = rt.newManager(); NoGrad ignored = NoGrad.open()) {
            WeightScope scope = WeightScope.random(m, DataType.FLOAT32);
            rt.seed(1);
            CLIPTextModel text = new CLIPTextModel(scope, TinyModelSpec.text());
            TinyModelTrainer.initialiseTokenEmbeddings(scope, std);
            NDArray a = encode(text, tokenizer, "a black ring on a grey background", m);
            NDArray b = encode(text, tokenizer, "a yellow ring on a grey background", m);
            // (tokens, 64) -> per-token cosine (tokens); position 0 is the start token, 1 "a", 2 the colour, 3 "ring"
            NDArray cos = a.mul(b).sum(new int[] {1}).div(a.norm(new int[] {1}).mul(b.norm(new int[] {1})));
            return new double[] {cos.getFloat(2), cos.getFloat(3)};
        }
    }

    private static NDArray encode(CLIPTextModel text, CLIPTokenizer tokenizer, String prompt, NDManager m) {
        long[] ids = tokenizer.tokenize(prompt).inputIds();
        // (1, tokens, 64) -> (tokens, 64)
        return text.forward(m.create(ids, new Shape(1, ids.length))).lastHiddenState().squeeze(0);
    }
}
