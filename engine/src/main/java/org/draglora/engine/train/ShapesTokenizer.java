package org.draglora.engine.train;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.draglora.engine.clip.BytePairEncoder;
import org.draglora.engine.shapes.Scene;

/**
 * The embedded model's tokenizer folder in SD's {@code tokenizer/} layout, read by the same CLIP
 * tokenizer code: CLIP's 512 byte-level symbols (the first 512 entries of CLIP's own vocabulary, with
 * and without the end-of-word mark), then one merged symbol per word of the scene prompts
 * ({@link Scene#promptWords()}) with the byte-pair merges that build it, then {@code <|startoftext|>}
 * and {@code <|endoftext|>} (the highest id, as in CLIP). So a prompt word is one token, and a prompt
 * of three objects fits in {@link TinyModelSpec#MAX_TOKENS}; any other text still tokenizes, byte by
 * byte.
 *
 * <p>Why words: the text encoder is frozen at a random initialisation, so the UNet's cross-attention
 * must learn to read its output. One token per word ("red", "disc") is something a small model learns
 * to read in a few thousand steps; a byte per token (the first version, 16 tokens, which cut prompts
 * after their first object) is not.
 */
final class ShapesTokenizer {

    /** The vocabulary in id order and the merges in rank order, built once. */
    private static final Vocabulary VOCABULARY = build(Scene.promptWords());

    private record Vocabulary(List<String> tokens, List<String[]> merges) {}

    private ShapesTokenizer() {}

    /** Tokens in the vocabulary: 512 byte symbols, the merged symbols, and the two special tokens. */
    static int vocabularySize() {
        return VOCABULARY.tokens().size();
    }

    /** Writes vocab.json, merges.txt, special_tokens_map.json and tokenizer_config.json. */
    static void write(Path dir, int maxLength) throws IOException {
        Files.createDirectories(dir);
        ObjectMapper json = new ObjectMapper();
        ObjectNode vocab = json.createObjectNode();
        List<String> tokens = VOCABULARY.tokens();
        for (int i = 0; i < tokens.size(); i++) {
            vocab.put(tokens.get(i), i);
        }
        json.writeValue(dir.resolve("vocab.json").toFile(), vocab);
        StringBuilder merges = new StringBuilder("#version: 0.2\n");
        for (String[] m : VOCABULARY.merges()) {
            merges.append(m[0]).append(' ').append(m[1]).append('\n');
        }
        Files.writeString(dir.resolve("merges.txt"), merges, StandardCharsets.UTF_8);
        ObjectNode special = json.createObjectNode();
        special.put("bos_token", "<|startoftext|>");
        special.put("eos_token", "<|endoftext|>");
        special.put("unk_token", "<|endoftext|>");
        special.put("pad_token", "<|endoftext|>");
        json.writeValue(dir.resolve("special_tokens_map.json").toFile(), special);
        ObjectNode config = json.createObjectNode();
        config.put("tokenizer_class", "CLIPTokenizer");
        config.put("model_max_length", maxLength);
        config.put("do_lower_case", true);
        json.writeValue(dir.resolve("tokenizer_config.json").toFile(), config);
    }

    /**
     * For each word (lower-case ASCII), runs byte-pair encoding with the merges so far and, while the
     * word is still in pieces, adds the merge of its first two pieces at the lowest priority. A merge
     * added last never fires while a word processed earlier still has a merge of its own to apply, so
     * every earlier word stays one token.
     */
    private static Vocabulary build(List<String> words) {
        List<String> tokens = new ArrayList<>();
        String[] symbols = BytePairEncoder.byteSymbolsInVocabularyOrder();
        for (int i = 0; i < 256; i++) {
            tokens.add(symbols[i]);
        }
        for (int i = 0; i < 256; i++) {
            tokens.add(symbols[i] + BytePairEncoder.END_OF_WORD);
        }
        List<String[]> merges = new ArrayList<>();
        for (String word : words) {
            if (!word.matches("[a-z]+")) {
                throw new IllegalArgumentException("prompt words must be lower-case ASCII letters, got '" + word + "'");
            }
            for (List<String> pieces = BytePairEncoder.encodeWord(word, merges); pieces.size() > 1;
                    pieces = BytePairEncoder.encodeWord(word, merges)) {
                String[] merge = {pieces.get(0), pieces.get(1)};
                merges.add(merge);
                if (!tokens.contains(merge[0] + merge[1])) { // two merges may spell the same symbol
                    tokens.add(merge[0] + merge[1]);
                }
            }
        }
        tokens.add("<|startoftext|>");
        tokens.add("<|endoftext|>");
        return new Vocabulary(List.copyOf(tokens), List.copyOf(merges));
    }
}
