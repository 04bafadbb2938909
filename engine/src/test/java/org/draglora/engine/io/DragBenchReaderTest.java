package org.draglora.engine.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link DragBenchReader} on sample folders built like DragBench's (ALGORITHM.md §11.1), and {@link DragSample}. */
class DragBenchReaderTest {

    private static final int W = 12;
    private static final int H = 10;

    @TempDir
    Path root;

    /** A 12x10 sample: editable 3x2 block at x 4..6, y 1..2; pairs (2, 3) -> (9, 8) and (11, 0) -> (0, 9). */
    private Path sample(String category, String name, int[][] points, byte[] mask, int maskH, int maskW)
            throws IOException {
        Path dir = Files.createDirectories(root.resolve(category).resolve(name));
        ImageTensors.writePng(ImageTensorsTest.randomImage(W, H, name.hashCode()), dir.resolve("original_image.png"));
        Files.write(dir.resolve("meta_data.pkl"), PickleFixtures.dragBenchMeta("a photo of a cat", points, maskH,
                maskW, mask));
        Files.write(dir.resolve("user_drag.png"), new byte[] {1, 2, 3}); // never read
        return dir;
    }

    private static byte[] blockMask() {
        byte[] mask = new byte[W * H];
        for (int y = 1; y <= 2; y++) {
            for (int x = 4; x <= 6; x++) {
                mask[y * W + x] = 1;
            }
        }
        return mask;
    }

    private static final int[][] POINTS = {{2, 3}, {9, 8}, {11, 0}, {0, 9}};

    @Test
    void readsASample() throws IOException {
        Path dir = sample("animals", "JH_2023-09-14-1820-16", POINTS, blockMask(), H, W);
        DragSample s = DragBenchReader.read(dir);
        assertEquals("a photo of a cat", s.prompt());
        assertEquals(List.of(new PointPair(2, 3, 9, 8), new PointPair(11, 0, 0, 9)), s.points());
        assertEquals(ImageTensors.read(dir.resolve("original_image.png")), s.image());
        assertEquals(6, s.mask().count());
        assertTrue(s.mask().isEditable(4, 1) && s.mask().isEditable(6, 2));
        assertEquals(EditMask.fromUint8(W, H, blockMask()), s.mask());
    }

    @Test
    void listsSampleFoldersAndSkipsTheRest() throws IOException {
        Path a2 = sample("animals", "s2", POINTS, blockMask(), H, W);
        Path a1 = sample("animals", "s1", POINTS, blockMask(), H, W);
        Path b1 = sample("art_work", "s3", POINTS, blockMask(), H, W);
        Files.write(root.resolve(".DS_Store"), new byte[] {0});
        Files.write(root.resolve("animals/.DS_Store"), new byte[] {0});
        Files.write(root.resolve("animals/notes.txt"), new byte[] {0});
        Files.write(root.resolve("README.md"), new byte[] {0});
        Files.createDirectories(root.resolve("art_work/empty_dir"));
        Files.createDirectories(root.resolve(".hidden/s9"));
        Files.createDirectories(root.resolve("art_work/half_sample"));
        Files.write(root.resolve("art_work/half_sample/original_image.png"), new byte[0]); // no meta_data.pkl
        assertEquals(List.of(a1, a2, b1), DragBenchReader.list(root));
    }

    @Test
    void contentErrorsNameTheFile() throws IOException {
        Path odd = sample("c", "odd", new int[][] {{1, 1}, {2, 2}, {3, 3}}, blockMask(), H, W);
        expect(odd, "odd number of points (3)");
        Path outside = sample("c", "outside", new int[][] {{1, 1}, {12, 2}}, blockMask(), H, W);
        expect(outside, "outside the 12x10 image");
        Path wrongMask = sample("c", "mask", POINTS, new byte[5 * 4], 4, 5);
        expect(wrongMask, "the mask is 5x4 but the image is 12x10");
        Path none = sample("c", "none", new int[0][], blockMask(), H, W);
        expect(none, "'points' is empty");
        Path notDict = sample("c", "list", POINTS, blockMask(), H, W);
        Files.write(notDict.resolve("meta_data.pkl"), PickleFixtures.bytes("80 04 5d 94 2e"));
        expect(notDict, "not a dict");
        Path noMeta = sample("c", "nometa", POINTS, blockMask(), H, W);
        Files.delete(noMeta.resolve("meta_data.pkl"));
        IOException e = assertThrows(IOException.class, () -> DragBenchReader.read(noMeta));
        assertTrue(e.getMessage().contains(noMeta.toString()) && e.getMessage().contains("missing meta_data.pkl"),
                e.getMessage());
    }

    @Test
    void sampleRules() {
        RgbImage image = ImageTensorsTest.randomImage(13, 9, 8);
        EditMask mask = EditMask.full(13, 9);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new DragSample(image, EditMask.full(9, 13), "", List.of()));
        assertEquals("the mask is 9x13 but the image is 13x9", e.getMessage());
        DragSample s = new DragSample(image, mask, "", List.of(new PointPair(1, 2, 12, 8)));
        assertEquals(new PointPair(12, 8, 1, 2), s.swapped().points().get(0));
        DragSample padded = s.padToMultipleOf8();
        assertEquals(16, padded.image().width());
        assertEquals(9 * 13, padded.mask().count(), "padding is not editable");
        assertThrows(IllegalArgumentException.class, s::cropToMultipleOf8, "the target (12, 8) leaves the 8x8 crop");
        DragSample inside = new DragSample(image, mask, "", List.of(new PointPair(1, 2, 7, 7)));
        assertEquals(8, inside.cropToMultipleOf8().image().height());
        assertEquals(64, inside.cropToMultipleOf8().mask().count());
    }

    private static void expect(Path sampleDir, String fragment) {
        IOException e = assertThrows(IOException.class, () -> DragBenchReader.read(sampleDir));
        assertTrue(e.getMessage().startsWith(sampleDir.resolve("meta_data.pkl").toString())
                && e.getMessage().contains(fragment), e.getMessage());
        assertTrue(!e.getMessage().contains("\n"), e.getMessage());
    }
}
