package org.draglora.engine.train;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The embedded model's tokenizer folder in SD's {@code tokenizer/} layout: CLIP's 512 byte-level
 * symbols (the first 512 entries of CLIP's own vocabulary, with and without the end-of-word mark),
 * no merges, {@code <|startoftext|>} = 512 and {@code <|endoftext|>} = 513, prompts padded to a
 * short maximum. The same CLIP tokenizer code reads it.
 */
final class ByteLevelTokenizer {

    private ByteLevelTokenizer() {}

    /** Writes vocab.json, merges.txt, special_tokens_map.json and tokenizer_config.json. */
    static void write(Path dir, int maxLength) throws IOException {
        Files.createDirectories(dir);
        ObjectMapper json = new ObjectMapper();
        ObjectNode vocab = json.createObjectNode();
        String[] symbols = byteSymbols();
        for (int i = 0; i < 256; i++) {
            vocab.put(symbols[i], i);
        }
        for (int i = 0; i < 256; i++) {
            vocab.put(symbols[i] + "</w>", 256 + i);
        }
        vocab.put("<|startoftext|>", 512);
        vocab.put("<|endoftext|>", 513);
        json.writeValue(dir.resolve("vocab.json").toFile(), vocab);
        Files.writeString(dir.resolve("merges.txt"), "#version: 0.2\n", StandardCharsets.UTF_8);
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
