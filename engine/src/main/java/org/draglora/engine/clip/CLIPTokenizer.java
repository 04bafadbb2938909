package org.draglora.engine.clip;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * The CLIP byte-level BPE tokenizer that Stable Diffusion 1.5 uses for its prompts, a port of
 * transformers' slow {@code CLIPTokenizer} ({@code tokenization_clip.py}) and of OpenAI's
 * {@code SimpleTokenizer} ({@code clip/simple_tokenizer.py}).
 *
 * <p>The pipeline for a prompt:
 *
 * <ol>
 *   <li>Clean-up: a subset of {@code ftfy.fix_text} (see {@link TextCleaner}: curly quotes,
 *       Windows-1252/Latin-1 mojibake, Latin ligatures and digraphs, fullwidth forms, HTML
 *       references when the text has no {@code <}, control characters, line breaks, NFC);
 *       {@link Cleanup#OPENAI} then also applies Python's {@code html.unescape} twice. Every run of
 *       Unicode white space becomes one space, the ends are trimmed, and the text is lower-cased
 *       as Python does it (full Unicode mapping, so {@code İ} becomes {@code i} + U+0307, and
 *       Python's final-sigma rule).
 *   <li>Split with CLIP's pattern: the literal {@code <|startoftext|>} and {@code <|endoftext|>},
 *       the contractions {@code 's 't 're 've 'm 'll 'd}, runs of letters, single digits, and runs
 *       of other non-space characters.
 *   <li>Each piece is UTF-8 encoded, each byte mapped to its GPT-2 byte symbol, {@code </w>}
 *       appended to the last symbol, and the merges applied lowest rank first; the literal
 *       special tokens map straight to their ids.
 *   <li>{@link #tokenize} lays the ids out as the SD pipeline does: {@code [bos] + ids[:maxLength-2]
 *       + [eos]}, padded to {@code maxLength} with the pad id (49407 {@code <|endoftext|>} for
 *       SD 1.x, 0 {@code !} for SD 2.x).
 * </ol>
 *
 * <p>{@link Cleanup#HUGGINGFACE}, the default, is what diffusers' SD pipelines use: the text is
 * first split on the special tokens (bos, eos, unk and pad, as transformers' added tokens), and
 * each other part is cleaned and tokenized on its own. With SD 2.x's pad token {@code !} this makes
 * every {@code !} in a prompt id 0, as in diffusers. {@link Cleanup#OPENAI} cleans the whole text
 * and adds the double {@code html.unescape}. The two differ only on HTML references that ftfy
 * leaves alone (all of them once a line has a {@code <}, and those without a semicolon) and next to
 * special tokens; of the fixture's 32 prompts only {@code <b>bold</b> &amp;amp; x} differs.
 *
 * <p>Instances are immutable and thread-safe. Load once and reuse: {@link #load} parses the
 * 49408-token vocabulary and the 48894 merges (a fraction of a second), while a prompt then takes
 * microseconds. Characters are classified with Java's Unicode tables (Unicode 13 in Java 17).
 */
public final class CLIPTokenizer {

    /** The text clean-up of one of the two reference implementations. */
    public enum Cleanup {
        /** transformers' {@code CLIPTokenizer} with ftfy, as the diffusers SD pipelines use it. */
        HUGGINGFACE,
        /** OpenAI's {@code SimpleTokenizer}: also {@code html.unescape} twice, no special-token split. */
        OPENAI
    }

    /**
     * One tokenized prompt.
     *
     * @param inputIds the ids in SD layout, {@code maxLength} long: bos, the prompt's ids, eos, padding
     * @param length how many ids precede the padding, bos and eos included
     * @param truncated whether the prompt had more than {@code maxLength - 2} ids
     */
    public record Tokenized(long[] inputIds, int length, boolean truncated) {

        /** Checks the arguments. */
        public Tokenized {
            Objects.requireNonNull(inputIds, "inputIds");
            if (length < 0 || length > inputIds.length) {
                throw new IllegalArgumentException("length " + length + " outside 0.." + inputIds.length);
            }
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Tokenized t
                    && length == t.length
                    && truncated == t.truncated
                    && Arrays.equals(inputIds, t.inputIds);
        }

        @Override
        public int hashCode() {
            return 31 * (31 * Arrays.hashCode(inputIds) + length) + Boolean.hashCode(truncated);
        }

        @Override
        public String toString() {
            return "Tokenized[inputIds=" + Arrays.toString(inputIds) + ", length=" + length
                    + ", truncated=" + truncated + "]";
        }
    }

    /** SD's context length, used when {@code tokenizer_config.json} gives none. */
    public static final int DEFAULT_MAX_LENGTH = 77;

    static final String START_OF_TEXT = "<|startoftext|>";
    static final String END_OF_TEXT = "<|endoftext|>";

    /** The largest accepted {@code model_max_length}. */
    private static final int MAX_MAX_LENGTH = 1 << 16;

    /** The largest accepted vocabulary id. */
    private static final int MAX_ID = (1 << 24) - 1;

    /** A text that goes through every clean-up step. */
    private static final String WARM_UP = "caf\u00C3\u00A9 &amp; \u201Cq\u201D \uFB01 \uFF21 e\u0301";

    /** CLIP's contractions, in the order of its pattern. */
    private static final String[] CONTRACTIONS = {"'s", "'t", "'re", "'ve", "'m", "'ll", "'d"};

    private static final ObjectMapper JSON = new ObjectMapper();

    /** For vocab.json: 49408 distinct names, which interning would only slow down. */
    private static final JsonFactory VOCAB_JSON = JsonFactory.builder()
            .disable(JsonFactory.Feature.INTERN_FIELD_NAMES)
            .disable(JsonFactory.Feature.CANONICALIZE_FIELD_NAMES)
            .build();

    private final BytePairEncoder bpe;
    private final Cleanup cleanup;
    private final int maxLength;
    private final int bosId;
    private final int eosId;
    private final int padId;
    /** The special tokens the text is split on first ({@link Cleanup#HUGGINGFACE}), longest first. */
    private final String[] splitTokens;
    private final int[] splitTokenIds;

    private CLIPTokenizer(
            BytePairEncoder bpe, Cleanup cleanup, int maxLength, int bosId, int eosId, int padId,
            String[] splitTokens, int[] splitTokenIds) {
        this.bpe = bpe;
        this.cleanup = cleanup;
        this.maxLength = maxLength;
        this.bosId = bosId;
        this.eosId = eosId;
        this.padId = padId;
        this.splitTokens = splitTokens;
        this.splitTokenIds = splitTokenIds;
    }

    /**
     * Loads a tokenizer folder in the transformers layout ({@code tokenizer/} of an SD model) with
     * the {@link Cleanup#HUGGINGFACE} clean-up.
     *
     * @see #load(Path, Cleanup)
     */
    public static CLIPTokenizer load(Path folder) throws IOException {
        return load(folder, Cleanup.HUGGINGFACE);
    }

    /**
     * Loads a tokenizer folder in the transformers layout.
     *
     * <p>{@code vocab.json} (token to id) and {@code merges.txt} (an optional {@code #version}
     * line, then one {@code first second} pair a line in rank order; like the references, at most
     * the first 48894 are used) are required. {@code special_tokens_map.json} and
     * {@code tokenizer_config.json} are optional; a token setting in the former wins, as in
     * transformers. They give {@code bos_token}, {@code eos_token}, {@code unk_token} and
     * {@code pad_token} (a string or an object with {@code content}; default {@code <|startoftext|>}
     * and {@code <|endoftext|>}) and {@code model_max_length} (default 77). An SD model folder that
     * holds a {@code tokenizer/} subfolder is accepted too.
     *
     * @throws NoSuchFileException if the folder, {@code vocab.json} or {@code merges.txt} is missing
     * @throws IOException if a file cannot be read or is not valid JSON (the message names it)
     * @throws IllegalArgumentException if a file is readable but wrong: a malformed merges line, a
     *     merge or special token missing from the vocabulary, a bad setting (the message names it)
     */
    public static CLIPTokenizer load(Path folder, Cleanup cleanup) throws IOException {
        Objects.requireNonNull(folder, "folder");
        Objects.requireNonNull(cleanup, "cleanup");
        if (!Files.isDirectory(folder)) {
            throw new NoSuchFileException(folder.toString(), null, "not a CLIP tokenizer folder");
        }
        if (!Files.exists(folder.resolve("vocab.json")) && Files.isDirectory(folder.resolve("tokenizer"))) {
            folder = folder.resolve("tokenizer");
        }
        Path vocabFile = requireFile(folder.resolve("vocab.json"), "the CLIP tokenizer vocabulary is missing");
        Path mergesFile = requireFile(folder.resolve("merges.txt"), "the CLIP tokenizer merges are missing");
        Map<String, Integer> vocab = readVocab(vocabFile);
        List<BytePairEncoder.Merge> merges;
        try (BufferedReader reader = Files.newBufferedReader(mergesFile, StandardCharsets.UTF_8)) {
            merges = readMerges(reader, mergesFile.toString(), false);
        }
        BytePairEncoder bpe = new BytePairEncoder(
                vocab, merges, List.of(START_OF_TEXT, END_OF_TEXT), vocabFile + " / " + mergesFile);
        Settings settings = new Settings();
        settings.read(folder.resolve("tokenizer_config.json"), true);
        settings.read(folder.resolve("special_tokens_map.json"), false);
        return create(bpe, cleanup, settings);
    }

    /**
     * Builds the tokenizer from OpenAI's {@code bpe_simple_vocab_16e6.txt.gz}, the file that
     * {@code SimpleTokenizer} reads: the vocabulary is the 256 byte symbols, the same with
     * {@code </w>}, the merged tokens in rank order and the two special tokens, exactly as SD's
     * {@code vocab.json}. Uses SD 1.x's settings: 77 tokens, padding with {@code <|endoftext|>}.
     *
     * @throws IOException if the file is missing, unreadable or not gzip
     * @throws IllegalArgumentException if a merges line is malformed
     */
    public static CLIPTokenizer fromOpenAiBpe(Path bpeFile, Cleanup cleanup) throws IOException {
        Objects.requireNonNull(bpeFile, "bpeFile");
        requireFile(bpeFile, "OpenAI's CLIP BPE file is missing");
        try (InputStream in = Files.newInputStream(bpeFile)) {
            return fromOpenAiBpe(in, bpeFile.toString(), cleanup);
        }
    }

    /**
     * The SD 1.x tokenizer from the copy of OpenAI's {@code bpe_simple_vocab_16e6.txt.gz} bundled
     * with draglora (MIT licence, github openai/CLIP). Single-file checkpoints carry no tokenizer,
     * and this vocabulary is the one every SD 1.x text encoder was trained with.
     */
    public static CLIPTokenizer bundledSd15() throws IOException {
        try (InputStream in = CLIPTokenizer.class.getResourceAsStream(BUNDLED_BPE)) {
            if (in == null) {
                throw new IOException("the bundled CLIP vocabulary " + BUNDLED_BPE + " is missing from the class path");
            }
            return fromOpenAiBpe(in, "bundled " + BUNDLED_BPE, Cleanup.HUGGINGFACE);
        }
    }

    /** Class-path resource of the bundled OpenAI CLIP BPE merges. */
    static final String BUNDLED_BPE = "/org/draglora/engine/clip/bpe_simple_vocab_16e6.txt.gz";

    /** Builds the tokenizer from a gzip stream of OpenAI's BPE file; {@code origin} names it in errors. */
    public static CLIPTokenizer fromOpenAiBpe(InputStream gzip, String origin, Cleanup cleanup) throws IOException {
        Objects.requireNonNull(cleanup, "cleanup");
        List<BytePairEncoder.Merge> merges;
        try (InputStream in = new GZIPInputStream(gzip);
                BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            merges = readMerges(reader, origin, true);
        } catch (ZipException e) {
            throw new IOException(origin + ": not a gzip file: " + e.getMessage(), e);
        }
        Map<String, Integer> vocab = new LinkedHashMap<>();
        String[] bytes = BytePairEncoder.byteSymbolsInVocabularyOrder();
        for (String symbol : bytes) {
            vocab.put(symbol, vocab.size());
        }
        for (String symbol : bytes) {
            vocab.put(symbol + BytePairEncoder.END_OF_WORD, vocab.size());
        }
        for (BytePairEncoder.Merge m : merges) {
            vocab.putIfAbsent(m.first() + m.second(), vocab.size());
        }
        vocab.putIfAbsent(START_OF_TEXT, vocab.size());
        vocab.putIfAbsent(END_OF_TEXT, vocab.size());
        BytePairEncoder bpe = new BytePairEncoder(vocab, merges, List.of(START_OF_TEXT, END_OF_TEXT), origin);
        return create(bpe, cleanup, new Settings());
    }

    /** The same vocabulary and settings with another clean-up; shares the tables and the cache. */
    public CLIPTokenizer withCleanup(Cleanup other) {
        Objects.requireNonNull(other, "cleanup");
        if (other == cleanup) {
            return this;
        }
        return new CLIPTokenizer(bpe, other, maxLength, bosId, eosId, padId, splitTokens, splitTokenIds);
    }

    /**
     * The BPE ids of a text: no bos, eos or padding, not truncated. Literal {@code <|startoftext|>}
     * and {@code <|endoftext|>} in the text become their ids.
     */
    public int[] encode(String text) {
        Objects.requireNonNull(text, "text");
        IntList ids = new IntList(text.length() / 3 + 4);
        if (cleanup == Cleanup.OPENAI) {
            String cleaned = TextCleaner.fixText(text);
            cleaned = HtmlEntities.unescape(HtmlEntities.unescape(cleaned));
            splitAndEncode(cleaned, ids);
            return ids.toArray();
        }
        int start = 0;
        int pos = 0;
        while (pos < text.length()) {
            int special = specialAt(text, pos);
            if (special < 0) {
                pos++;
                continue;
            }
            if (pos > start) {
                splitAndEncode(TextCleaner.fixText(text.substring(start, pos)), ids);
            }
            ids.add(splitTokenIds[special]);
            pos += splitTokens[special].length();
            start = pos;
        }
        if (start < text.length()) {
            splitAndEncode(TextCleaner.fixText(start == 0 ? text : text.substring(start)), ids);
        }
        return ids.toArray();
    }

    /** The index of the longest special token starting at {@code pos}, or -1. */
    private int specialAt(String text, int pos) {
        for (int i = 0; i < splitTokens.length; i++) {
            if (text.startsWith(splitTokens[i], pos)) {
                return i;
            }
        }
        return -1;
    }

    /** Whitespace clean-up, lower-casing, CLIP's split and BPE of text the ftfy subset has fixed. */
    private void splitAndEncode(String fixed, IntList ids) {
        String text = TextCleaner.lowerCase(TextCleaner.collapseWhitespace(fixed));
        int i = 0;
        while (i < text.length()) {
            int end = pieceEnd(text, i);
            if (end > i) {
                bpe.encodePiece(text.substring(i, end), ids);
                i = end;
            } else {
                i += Character.charCount(text.codePointAt(i));
            }
        }
    }

    /**
     * Where the match of CLIP's pattern
     * {@code <\|startoftext\|>|<\|endoftext\|>|'s|'t|'re|'ve|'m|'ll|'d|[\p{L}]+|[\p{N}]|[^\s\p{L}\p{N}]+}
     * (Python {@code regex}, IGNORECASE) starting at {@code start} ends, or {@code start} if none
     * of its alternatives matches there. The alternatives are tried in order, as the regex engine
     * does. On lower-cased text IGNORECASE only adds that {@code ſ} matches {@code s}, and that
     * U+0345 (whose capital is a letter) matches no alternative, so it is dropped.
     */
    static int pieceEnd(String text, int start) {
        if (matchesFolded(text, start, START_OF_TEXT)) {
            return start + START_OF_TEXT.length();
        }
        if (matchesFolded(text, start, END_OF_TEXT)) {
            return start + END_OF_TEXT.length();
        }
        if (text.charAt(start) == '\'') {
            for (String contraction : CONTRACTIONS) {
                if (matchesFolded(text, start, contraction)) {
                    return start + contraction.length();
                }
            }
        }
        int cp = text.codePointAt(start);
        if (Character.isLetter(cp)) {
            int end = start + Character.charCount(cp);
            while (end < text.length() && Character.isLetter(cp = text.codePointAt(end))) {
                end += Character.charCount(cp);
            }
            return end;
        }
        if (isNumber(cp)) {
            return start + Character.charCount(cp);
        }
        int end = start;
        while (end < text.length() && isSymbol(cp = text.codePointAt(end))) {
            end += Character.charCount(cp);
        }
        return end;
    }

    private static boolean matchesFolded(String text, int start, String literal) {
        if (start + literal.length() > text.length()) {
            return false;
        }
        for (int k = 0; k < literal.length(); k++) {
            char c = text.charAt(start + k);
            char expected = literal.charAt(k);
            if (c != expected && !(expected == 's' && c == '\u017F')) {
                return false;
            }
        }
        return true;
    }

    /** {@code \p{N}}: decimal digits, letter numbers and other numbers. */
    private static boolean isNumber(int cp) {
        int type = Character.getType(cp);
        return type == Character.DECIMAL_DIGIT_NUMBER
                || type == Character.LETTER_NUMBER
                || type == Character.OTHER_NUMBER;
    }

    /** {@code [^\s\p{L}\p{N}]} under IGNORECASE. */
    private static boolean isSymbol(int cp) {
        return !TextCleaner.isWhiteSpace(cp) && !Character.isLetter(cp) && !isNumber(cp) && cp != 0x0345;
    }

    /**
     * Tokenizes a prompt in the SD layout: {@code [bos] + ids[:maxLength-2] + [eos]}, padded to
     * {@code maxLength} with the pad id. The empty prompt gives bos, eos and padding.
     *
     * @throws NullPointerException if the prompt is null
     */
    public Tokenized tokenize(String prompt) {
        Objects.requireNonNull(prompt, "prompt");
        int[] ids = encode(prompt);
        int kept = Math.min(ids.length, maxLength - 2);
        long[] inputIds = new long[maxLength];
        inputIds[0] = bosId;
        for (int i = 0; i < kept; i++) {
            inputIds[i + 1] = ids[i];
        }
        inputIds[kept + 1] = eosId;
        Arrays.fill(inputIds, kept + 2, maxLength, padId);
        return new Tokenized(inputIds, kept + 2, ids.length > kept);
    }

    /**
     * The text of some ids, as the references decode it: tokens joined, the byte symbols decoded as
     * UTF-8 (invalid bytes become U+FFFD) and every {@code </w>} a space.
     *
     * @throws IllegalArgumentException for an id outside the vocabulary
     */
    public String decode(int... ids) {
        return bpe.decode(ids);
    }

    /** The id of a vocabulary token, or -1 if it has none. */
    public int tokenId(String token) {
        return bpe.id(Objects.requireNonNull(token, "token"));
    }

    /** The clean-up this tokenizer applies. */
    public Cleanup cleanup() {
        return cleanup;
    }

    /** The length of {@link Tokenized#inputIds()}: 77 for SD. */
    public int maxLength() {
        return maxLength;
    }

    /** The id of the begin-of-text token, 49406 for CLIP. */
    public int bosId() {
        return bosId;
    }

    /** The id of the end-of-text token, 49407 for CLIP. */
    public int eosId() {
        return eosId;
    }

    /** The padding id: 49407 for SD 1.x, 0 for SD 2.x. */
    public int padId() {
        return padId;
    }

    /** The number of tokens in the vocabulary, 49408 for CLIP. */
    public int vocabularySize() {
        return bpe.vocabularySize();
    }

    private static CLIPTokenizer create(BytePairEncoder bpe, Cleanup cleanup, Settings s) {
        int bos = specialId(bpe, s, "bos_token", s.bos);
        int eos = specialId(bpe, s, "eos_token", s.eos);
        int pad = specialId(bpe, s, "pad_token", s.pad);
        specialId(bpe, s, "unk_token", s.unk);
        Set<String> split = new LinkedHashSet<>(List.of(s.bos, s.eos, s.unk, s.pad));
        split.remove("");
        String[] splitTokens = split.stream()
                .sorted(Comparator.comparingInt(String::length).reversed())
                .toArray(String[]::new);
        int[] splitIds = new int[splitTokens.length];
        for (int i = 0; i < splitTokens.length; i++) {
            splitIds[i] = bpe.id(splitTokens[i]);
        }
        CLIPTokenizer tokenizer = new CLIPTokenizer(bpe, cleanup, s.maxLength, bos, eos, pad, splitTokens, splitIds);
        // Loads the HTML entity table and the Unicode normaliser now rather than on the first prompt.
        tokenizer.withCleanup(Cleanup.OPENAI).encode(WARM_UP);
        return tokenizer;
    }

    private static int specialId(BytePairEncoder bpe, Settings s, String key, String token) {
        int id = bpe.id(token);
        if (id < 0) {
            throw new IllegalArgumentException(
                    s.sources.getOrDefault(key, "the defaults") + ": " + key + " '" + token
                            + "' is not in the vocabulary");
        }
        return id;
    }

    private static Path requireFile(Path file, String reason) throws NoSuchFileException {
        if (!Files.isRegularFile(file)) {
            throw new NoSuchFileException(file.toString(), null, reason);
        }
        return file;
    }

    private static JsonNode readJson(Path file) throws IOException {
        try {
            return JSON.readTree(file.toFile());
        } catch (JsonProcessingException e) {
            throw new IOException(file + ": not valid JSON: " + e.getOriginalMessage(), e);
        }
    }

    private static Map<String, Integer> readVocab(Path file) throws IOException {
        Map<String, Integer> vocab = new LinkedHashMap<>(1 << 17);
        try (JsonParser parser = VOCAB_JSON.createParser(file.toFile())) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                throw new IllegalArgumentException(file + ": expected a JSON object of token to id");
            }
            JsonToken token;
            while ((token = parser.nextToken()) == JsonToken.FIELD_NAME) {
                String name = parser.currentName();
                JsonToken value = parser.nextToken();
                if (value != JsonToken.VALUE_NUMBER_INT
                        || parser.getNumberType() != JsonParser.NumberType.INT
                        || parser.getIntValue() < 0
                        || parser.getIntValue() > MAX_ID) {
                    throw new IllegalArgumentException(file + ": the id of '" + name + "' is "
                            + parser.getText() + ", expected an integer in 0.." + MAX_ID);
                }
                vocab.put(name, parser.getIntValue());
            }
            if (token != JsonToken.END_OBJECT || parser.nextToken() != null) {
                throw new IllegalArgumentException(file + ": expected a JSON object of token to id");
            }
        } catch (JsonProcessingException e) {
            throw new IOException(file + ": not valid JSON: " + e.getOriginalMessage(), e);
        }
        if (vocab.isEmpty()) {
            throw new IllegalArgumentException(file + ": the vocabulary is empty");
        }
        return vocab;
    }

    /**
     * Reads merge rules: a header line (always skipped in OpenAI's file, skipped in
     * {@code merges.txt} when it starts with {@code #version}), then {@code first second} a line.
     * Blank lines are skipped; reading stops after the merges the references use.
     */
    private static List<BytePairEncoder.Merge> readMerges(BufferedReader reader, String source, boolean header)
            throws IOException {
        List<BytePairEncoder.Merge> merges = new ArrayList<>(BytePairEncoder.MAX_MERGES);
        String line;
        int lineNumber = 0;
        while (merges.size() < BytePairEncoder.MAX_MERGES && (line = reader.readLine()) != null) {
            lineNumber++;
            if (lineNumber == 1 && (header || line.startsWith("#version") || line.startsWith("\uFEFF#version"))) {
                continue;
            }
            if (line.endsWith("\r")) {
                line = line.substring(0, line.length() - 1);
            }
            if (line.isEmpty()) {
                continue;
            }
            int space = line.indexOf(' ');
            if (space <= 0 || space == line.length() - 1 || line.indexOf(' ', space + 1) >= 0) {
                throw new IllegalArgumentException(
                        source + " line " + lineNumber + ": expected two symbols separated by one space, got '"
                                + line + "'");
            }
            merges.add(new BytePairEncoder.Merge(line.substring(0, space), line.substring(space + 1), lineNumber));
        }
        return merges;
    }

    /** The settings of the two optional JSON files, with CLIPTokenizer's defaults. */
    private static final class Settings {
        String bos = START_OF_TEXT;
        String eos = END_OF_TEXT;
        String unk = END_OF_TEXT;
        String pad = END_OF_TEXT;
        int maxLength = DEFAULT_MAX_LENGTH;
        final Map<String, String> sources = new LinkedHashMap<>();

        void read(Path file, boolean withMaxLength) throws IOException {
            if (!Files.exists(file)) {
                return;
            }
            JsonNode root = readJson(file);
            if (root == null || !root.isObject()) {
                throw new IllegalArgumentException(file + ": expected a JSON object");
            }
            bos = token(root, "bos_token", file, bos);
            eos = token(root, "eos_token", file, eos);
            unk = token(root, "unk_token", file, unk);
            pad = token(root, "pad_token", file, pad);
            JsonNode max = root.get("model_max_length");
            if (withMaxLength && max != null && !max.isNull()) {
                if (!max.isIntegralNumber() || !max.canConvertToInt()
                        || max.intValue() < 2 || max.intValue() > MAX_MAX_LENGTH) {
                    throw new IllegalArgumentException(
                            file + ": model_max_length is " + max + ", expected an integer in 2.." + MAX_MAX_LENGTH);
                }
                maxLength = max.intValue();
            }
        }

        private String token(JsonNode root, String key, Path file, String current) {
            JsonNode node = root.get(key);
            if (node == null || node.isNull()) {
                return current;
            }
            JsonNode content = node.isObject() ? node.get("content") : node;
            if (content == null || !content.isTextual() || content.textValue().isEmpty()) {
                throw new IllegalArgumentException(
                        file + ": " + key + " must be a non-empty string or an object with a \"content\" string");
            }
            sources.put(key, file.toString());
            return content.textValue();
        }
    }
}
