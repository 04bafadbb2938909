package org.draglora.sessions.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BlobStoreTest {

    @TempDir
    Path dir;

    @Test
    void bytesComeBackUnderTheirSha256() {
        BlobStore store = new BlobStore(dir.resolve("blobs"));
        byte[] abc = "abc".getBytes(StandardCharsets.US_ASCII);
        String hash = store.put(abc);
        // the SHA-256 test vector of "abc" (FIPS 180-2)
        assertEquals("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", hash);
        assertArrayEquals(abc, store.require(hash));
        assertTrue(store.contains(hash));
        assertTrue(Files.isRegularFile(dir.resolve("blobs/ba/" + hash)));
    }

    @Test
    void theSameBytesAreStoredOnce() throws Exception {
        BlobStore store = new BlobStore(dir);
        byte[] big = new byte[1 << 20];
        new Random(3).nextBytes(big);
        String a = store.put(big);
        String b = store.put(big.clone());
        assertEquals(a, b);
        try (Stream<Path> files = Files.walk(dir)) {
            assertEquals(1, files.filter(Files::isRegularFile).count(), "one file, no leftovers");
        }
    }

    @Test
    void anUnknownHashIsEmptyAndAMalformedOneIsRefused() {
        BlobStore store = new BlobStore(dir);
        assertTrue(store.get("0".repeat(64)).isEmpty());
        IllegalStateException missing = assertThrows(IllegalStateException.class, () -> store.require("0".repeat(64)));
        assertTrue(missing.getMessage().contains("missing"));
        assertThrows(IllegalArgumentException.class, () -> store.get("../../etc/passwd"));
        assertThrows(IllegalArgumentException.class, () -> store.contains("ABC"));
        assertFalse(store.contains("f".repeat(64)));
    }

    @Test
    void aCorruptedBlobIsReportedNotReturned() throws Exception {
        BlobStore store = new BlobStore(dir);
        String hash = store.put(new byte[] {1, 2, 3});
        Files.write(dir.resolve(hash.substring(0, 2)).resolve(hash), new byte[] {1, 2, 4});
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> store.get(hash));
        assertTrue(e.getMessage().contains("corrupted"), e.getMessage());
    }

    @Test
    void concurrentWritersOfTheSameBytesAgree() throws Exception {
        BlobStore store = new BlobStore(dir);
        byte[] bytes = new byte[200_000];
        new Random(9).nextBytes(bytes);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<String>> hashes = new ArrayList<>();
            for (int i = 0; i < 16; i++) {
                hashes.add(pool.submit(() -> store.put(bytes)));
            }
            for (Future<String> f : hashes) {
                assertEquals(BlobStore.hash(bytes), f.get());
            }
        } finally {
            pool.shutdown();
        }
        assertArrayEquals(bytes, store.require(BlobStore.hash(bytes)));
        try (Stream<Path> files = Files.walk(dir)) {
            assertEquals(1, files.filter(Files::isRegularFile).count(), "no temporary files left");
        }
    }
}
