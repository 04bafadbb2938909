package org.draglora.engine.clip;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * CLIP's byte-level BPE: the GPT-2 byte-to-unicode table, merges applied by rank with the
 * {@code </w>} end-of-word marker, and a cache of merged words; ported from {@code bpe()} of
 * OpenAI's {@code SimpleTokenizer} ({@code clip/simple_tokenizer.py}) and transformers'
 * {@code CLIPTokenizer}.
 *
 * <p>Symbols are vocabulary ids throughout, so every byte symbol, every byte symbol with
 * {@code </w>}, both halves of every merge and every merged token must be in the vocabulary;
 * the constructor checks this. Immutable apart from the thread-safe cache.
 */
public final class BytePairEncoder {

    /** The end-of-word mark on a word's last symbol. */
    public static final String END_OF_WORD = "</w>";

    /** How many merges the references use: {@code merges[1 : 49152 - 256 - 2 + 1]}. */
    static final int MAX_MERGES = 49152 - 256 - 2;

    /** The cache is emptied when it reaches this many words, to bound its memory. */
    private static final int CACHE_LIMIT = 100_000;

    private static final char[] BYTE_SYMBOLS = byteSymbols();
    private static final int[] SYMBOL_BYTES = symbolBytes();

    /** One merge rule; {@code line} is where it came from, for error messages. */
    record Merge(String first, String second, int line) {}

    private final Map<String, Integer> vocab;
    private final String[] tokens;
    private final int[] byteIds = new int[256];
    private final int[] byteEndIds = new int[256];
    private final Map<String, Integer> literals;
    private final MergeTable merges;
    private final ConcurrentHashMap<String, int[]> cache = new ConcurrentHashMap<>();

    /**
     * @param vocab token to id, ids non-negative
     * @param merges the merge rules in rank order (at most {@link #MAX_MERGES} are used)
     * @param literals pieces that map to one id without BPE (the literal special tokens)
     * @param source the file names for error messages, e.g. {@code vocab.json / merges.txt}
     */
    BytePairEncoder(Map<String, Integer> vocab, List<Merge> merges, List<String> literals, String source) {
        this.vocab = Map.copyOf(vocab);
        int maxId = -1;
        for (int id : this.vocab.values()) {
            maxId = Math.max(maxId, id);
        }
        tokens = new String[maxId + 1];
        for (Map.Entry<String, Integer> e : this.vocab.entrySet()) {
            tokens[e.getValue()] = e.getKey();
        }
        for (int b = 0; b < 256; b++) {
            String symbol = String.valueOf(BYTE_SYMBOLS[b]);
            byteIds[b] = require(symbol, source, "the byte symbol");
            byteEndIds[b] = require(symbol + END_OF_WORD, source, "the byte symbol");
        }
        int count = Math.min(merges.size(), MAX_MERGES);
        this.merges = new MergeTable(count);
        for (int rank = 0; rank < count; rank++) {
            Merge m = merges.get(rank);
            String where = "line " + m.line() + " (" + m.first() + " " + m.second() + ")";
            int first = require(m.first(), source, "the merge symbol of " + where);
            int second = require(m.second(), source, "the merge symbol of " + where);
            int merged = require(m.first() + m.second(), source, "the merged token of " + where);
            this.merges.put(first, second, rank, merged);
        }
        Map<String, Integer> literalIds = new HashMap<>();
        for (String literal : literals) {
            Integer id = this.vocab.get(literal);
            if (id != null) {
                literalIds.put(literal, id);
            }
        }
        this.literals = Map.copyOf(literalIds);
    }

    private int require(String token, String source, String what) {
        Integer id = vocab.get(token);
        if (id == null) {
            throw new IllegalArgumentException(
                    source + ": the vocabulary lacks " + what + " '" + token + "'");
        }
        return id;
    }

    /** The id of a token, or -1. */
    int id(String token) {
        Integer id = vocab.get(token);
        return id == null ? -1 : id;
    }

    /** The token of an id, or null. */
    String token(int id) {
        return id >= 0 && id < tokens.length ? tokens[id] : null;
    }

    int vocabularySize() {
        return vocab.size();
    }

    /** Appends the ids of one piece of the split text (a word, a digit or a run of symbols). */
    void encodePiece(String piece, IntList out) {
        Integer literal = literals.get(piece);
        if (literal != null) {
            out.add(literal);
            return;
        }
        int[] ids = cache.get(piece);
        if (ids == null) {
            ids = bpe(piece.getBytes(StandardCharsets.UTF_8));
            if (cache.size() >= CACHE_LIMIT) {
                cache.clear();
            }
            cache.put(piece, ids);
        }
        out.addAll(ids);
    }

    private int[] bpe(byte[] bytes) {
        int len = bytes.length;
        int[] word = new int[len];
        for (int i = 0; i < len; i++) {
            int b = bytes[i] & 0xFF;
            word[i] = i == len - 1 ? byteEndIds[b] : byteIds[b];
        }
        while (len > 1) {
            int best = Integer.MAX_VALUE;
            for (int i = 0; i + 1 < len; i++) {
                int rank = merges.rank(word[i], word[i + 1]);
                if (rank >= 0 && rank < best) {
                    best = rank;
                }
            }
            if (best == Integer.MAX_VALUE) {
                break;
            }
            int first = merges.first(best);
            int second = merges.second(best);
            int merged = merges.merged(best);
            int w = 0;
            for (int i = 0; i < len; ) {
                if (i + 1 < len && word[i] == first && word[i + 1] == second) {
                    word[w++] = merged;
                    i += 2;
                } else {
                    word[w++] = word[i++];
                }
            }
            len = w;
        }
        return Arrays.copyOf(word, len);
    }

    /**
     * The pieces CLIP's BPE makes of one word (lower-case text without spaces) under {@code merges}
     * (pairs of symbols in rank order): the tokens of a vocabulary of the 512 byte symbols and every
     * merged symbol. For building a small vocabulary merge by merge.
     */
    public static List<String> encodeWord(String word, List<String[]> merges) {
        Map<String, Integer> vocab = new HashMap<>();
        for (String symbol : byteSymbolsInVocabularyOrder()) {
            vocab.put(symbol, vocab.size());
            vocab.put(symbol + END_OF_WORD, vocab.size());
        }
        List<Merge> rules = new ArrayList<>();
        for (String[] m : merges) {
            vocab.putIfAbsent(m[0] + m[1], vocab.size());
            rules.add(new Merge(m[0], m[1], rules.size() + 1));
        }
        BytePairEncoder bpe = new BytePairEncoder(vocab, rules, List.of(), "merges being built");
        List<String> pieces = new ArrayList<>();
        for (int id : bpe.bpe(word.getBytes(StandardCharsets.UTF_8))) {
            pieces.add(bpe.token(id));
        }
        return pieces;
    }

    /** The text of ids: tokens joined, bytes decoded as UTF-8 (bad bytes replaced), {@code </w>} as space. */
    String decode(int[] ids) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(ids.length * 4);
        for (int id : ids) {
            String token = token(id);
            if (token == null) {
                throw new IllegalArgumentException("no token has id " + id);
            }
            for (int i = 0; i < token.length(); i++) {
                char c = token.charAt(i);
                int b = c < SYMBOL_BYTES.length ? SYMBOL_BYTES[c] : -1;
                if (b < 0) {
                    throw new IllegalArgumentException("token " + id + " '" + token + "' is not byte-level text");
                }
                bytes.write(b);
            }
        }
        return bytes.toString(StandardCharsets.UTF_8).replace(END_OF_WORD, " ");
    }

    /**
     * GPT-2's {@code bytes_to_unicode}: printable Latin-1 bytes stand for themselves, the other 68
     * bytes for U+0100 onwards, in byte order.
     */
    private static char[] byteSymbols() {
        char[] symbols = new char[256];
        int next = 0;
        for (int b = 0; b < 256; b++) {
            symbols[b] = isPrintableByte(b) ? (char) b : (char) (256 + next++);
        }
        return symbols;
    }

    private static boolean isPrintableByte(int b) {
        return (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
    }

    private static int[] symbolBytes() {
        int[] bytes = new int[256 + 68];
        Arrays.fill(bytes, -1);
        for (int b = 0; b < 256; b++) {
            bytes[BYTE_SYMBOLS[b]] = b;
        }
        return bytes;
    }

    /**
     * The 256 byte symbols in the order OpenAI's vocabulary lists them: the printable bytes first,
     * then the others.
     */
    public static String[] byteSymbolsInVocabularyOrder() {
        String[] order = new String[256];
        int n = 0;
        for (int b = 0; b < 256; b++) {
            if (isPrintableByte(b)) {
                order[n++] = String.valueOf(BYTE_SYMBOLS[b]);
            }
        }
        for (int b = 0; b < 256; b++) {
            if (!isPrintableByte(b)) {
                order[n++] = String.valueOf(BYTE_SYMBOLS[b]);
            }
        }
        return order;
    }

    /** Open-addressing map from a pair of symbol ids to its merge rank. */
    private static final class MergeTable {
        private final long[] keys;
        private final int[] ranks;
        private final int mask;
        private final int[] firsts;
        private final int[] seconds;
        private final int[] mergedIds;

        MergeTable(int count) {
            int capacity = Integer.highestOneBit(Math.max(4, count * 2)) * 2;
            keys = new long[capacity];
            ranks = new int[capacity];
            Arrays.fill(ranks, -1);
            mask = capacity - 1;
            firsts = new int[count];
            seconds = new int[count];
            mergedIds = new int[count];
        }

        private static long key(int first, int second) {
            return ((long) first << 32) | (second & 0xFFFFFFFFL);
        }

        private int slot(long key) {
            long h = key * 0x9E3779B97F4A7C15L;
            return (int) (h ^ (h >>> 32)) & mask;
        }

        /** A repeated pair keeps its later rank, as Python's {@code dict(zip(merges, ranks))} does. */
        void put(int first, int second, int rank, int merged) {
            long key = key(first, second);
            int i = slot(key);
            while (ranks[i] >= 0 && keys[i] != key) {
                i = (i + 1) & mask;
            }
            keys[i] = key;
            ranks[i] = rank;
            firsts[rank] = first;
            seconds[rank] = second;
            mergedIds[rank] = merged;
        }

        int rank(int first, int second) {
            long key = key(first, second);
            int i = slot(key);
            while (ranks[i] >= 0) {
                if (keys[i] == key) {
                    return ranks[i];
                }
                i = (i + 1) & mask;
            }
            return -1;
        }

        int first(int rank) {
            return firsts[rank];
        }

        int second(int rank) {
            return seconds[rank];
        }

        int merged(int rank) {
            return mergedIds[rank];
        }
    }
}
