package org.draglora.engine.train;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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

    private static final String END_OF_WORD = "</w>";

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
        String[] symbols = byteSymbols();
        for (int i = 0; i < 256; i++) {
            tokens.add(symbols[i]);
        }
        for (int i = 0; i < 256; i++) {
            tokens.add(symbols[i] + END_OF_WORD);
        }
        List<String[]> merges = new ArrayList<>();
        Map<String, Integer> ranks = new HashMap<>();
        for (String word : words) {
            if (!word.matches("[a-z]+")) {
                throw new IllegalArgumentException("prompt words must be lower-case ASCII letters, got '" + word + "'");
            }
            for (List<String> pieces = encode(word, ranks); pieces.size() > 1; pieces = encode(word, ranks)) {
                String[] merge = {pieces.get(0), pieces.get(1)};
                ranks.put(merge[0] + " " + merge[1], merges.size());
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

    /** CLIP's byte-pair encoding of one word: lowest-ranked adjacent pair first, all its occurrences. */
    private static List<String> encode(String word, Map<String, Integer> ranks) {
        List<String> pieces = new ArrayList<>();
        for (int i = 0; i < word.length(); i++) {
            pieces.add(word.substring(i, i + 1) + (i == word.length() - 1 ? END_OF_WORD : ""));
        }
        while (pieces.size() > 1) {
            int best = Integer.MAX_VALUE;
            String pair = null;
            for (int i = 0; i + 1 < pieces.size(); i++) {
                Integer r = ranks.get(pieces.get(i) + " " + pieces.get(i + 1));
                if (r != null && r < best) {
                    best = r;
                    pair = pieces.get(i) + " " + pieces.get(i + 1);
                }
            }
            if (pair == null) {
                break;
            }
            List<String> next = new ArrayList<>();
            for (int i = 0; i < pieces.size(); i++) {
                if (i + 1 < pieces.size() && pair.equals(pieces.get(i) + " " + pieces.get(i + 1))) {
                    next.add(pieces.get(i) + pieces.get(i + 1));
                    i++;
                } else {
                    next.add(pieces.get(i));
                }
            }
            pieces = next;
        }
        return pieces;
    }

    /** The 256 byte symbols in CLIP's vocabulary order (the first 256 entries of its vocabulary). */
    private static String[] byteSymbols() {
        // CLIP's vocabulary starts with bytes_to_unicode() in byte order 33..126, 161..172, 174..255, then
        // the remaining bytes mapped to 256+n (GPT-2's table); recompute it rather than ship a copy.
        int[] bs = new int[256];
        int n = 0;
        for (int b = '!'; b <= '~'; b++) {
            bs[n++] = b;
        }
        for (int b = 0xA1; b <= 0xAC; b++) {
            bs[n++] = b;
        }
        for (int b = 0xAE; b <= 0xFF; b++) {
            bs[n++] = b;
        }
        int[] cs = new int[256];
        System.arraycopy(bs, 0, cs, 0, n);
        int extra = 0;
        boolean[] present = new boolean[256];
        for (int i = 0; i < n; i++) {
            present[bs[i]] = true;
        }
        int k = n;
        for (int b = 0; b < 256; b++) {
            if (!present[b]) {
                bs[k] = b;
                cs[k] = 256 + extra++;
                k++;
            }
        }
        String[] out = new String[256];
        for (int i = 0; i < 256; i++) {
            out[i] = new String(Character.toChars(cs[i]));
        }
        return out;
    }
}
