package org.draglora.engine.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link Drag100Reader} on sample folders laid out like GoodDrag's {@code dataset/cat_2/}. */
class Drag100ReaderTest {

    @TempDir
    Path root;

    private Path sample(String name, String pointsJson, int maskW, int maskH) throws IOException {
        Path dir = Files.createDirectories(root.resolve(name));
        BufferedImage photo = ImageTensors.toBufferedImage(ImageTensorsTest.randomImage(16, 16, 9));
        BufferedImage bgr = new BufferedImage(16, 16, BufferedImage.TYPE_3BYTE_BGR);
        bgr.getGraphics().drawImage(photo, 0, 0, null);
        assertTrue(ImageIO.write(bgr, "jpg", dir.resolve("original.jpg").toFile()));
        boolean[] flags = new boolean[maskW * maskH];
        flags[3] = true;
        flags[maskW + 4] = true;
        MaskImage.writePng(new EditMask(maskW, maskH, flags), dir.resolve("mask.png"));
        Files.writeString(dir.resolve("points.json"), pointsJson, StandardCharsets.UTF_8);
        Files.write(dir.resolve("image_with_points.jpg"), new byte[] {1}); // never read
        return dir;
    }

    @Test
    void readsASample() throws IOException {
        Path dir = sample("cat_2", "{\"points\": [[3, 4], [10, 12], [15, 0], [0.5, 15]]}", 16, 16);
        DragSample s = Drag100Reader.read(dir);
        assertEquals("", s.prompt());
        assertEquals(List.of(new PointPair(3, 4, 10, 12), new PointPair(15, 0, 0.5, 15)), s.points());
        assertEquals(2, s.mask().count());
        assertTrue(s.mask().isEditable(3, 0) && s.mask().isEditable(4, 1));
        assertEquals(16, s.image().width());
        assertEquals("a cat", Drag100Reader.read(dir, "a cat").prompt());
    }

    @Test
    void listsSampleFoldersAndSkipsTheRest() throws IOException {
        Path b = sample("furniture_0", "{\"points\": [[1, 1], [2, 2]]}", 16, 16);
        Path a = sample("cat_2", "{\"points\": [[1, 1], [2, 2]]}", 16, 16);
        Files.createDirectories(root.resolve(".ipynb_checkpoints"));
        Files.createDirectories(root.resolve("not_a_sample"));
        Files.write(root.resolve("README.txt"), new byte[] {1});
        assertEquals(List.of(a, b), Drag100Reader.list(root));
    }

    @Test
    void contentErrorsNameTheFile() throws IOException {
        Path odd = sample("odd", "{\"points\": [[1, 1], [2, 2], [3, 3]]}", 16, 16);
        expect(odd, "points.json", "odd number of points (3)");
        Path bad = sample("bad", "{\"points\": [[1, 1], [2, 2]", 16, 16);
        expect(bad, "points.json", "not valid JSON");
        Path noKey = sample("nokey", "{\"pts\": []}", 16, 16);
        expect(noKey, "points.json", "{\"points\"");
        Path word = sample("word", "{\"points\": [[1, \"x\"], [2, 2]]}", 16, 16);
        expect(word, "points.json", "'x'");
        Path outside = sample("outside", "{\"points\": [[1, 1], [16, 2]]}", 16, 16);
        expect(outside, "points.json", "outside the 16x16 image");
        Path mask = sample("mask", "{\"points\": [[1, 1], [2, 2]]}", 8, 16);
        expect(mask, "mask.png", "the mask is 8x16 but the image is 16x16");
    }

    private static void expect(Path dir, String file, String fragment) {
        IOException e = assertThrows(IOException.class, () -> Drag100Reader.read(dir));
        assertTrue(e.getMessage().startsWith(dir.resolve(file).toString()) && e.getMessage().contains(fragment),
                e.getMessage());
    }
}
