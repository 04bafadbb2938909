package org.draglora.engine.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link DragBenchWriter}: CPython's bytes for a {@code meta_data.pkl}, and round trips through {@link DragBenchReader}. */
class DragBenchWriterTest {

    /** Not square, so that a transposed mask or swapped x/y cannot pass. */
    private static final int W = 48;
    private static final int H = 32;

    @TempDir
    Path root;

    /**
     * {@code pickle.dumps({'prompt': 'a cat', 'points': [[1, 2], [3.5, 0], [4, 3], [0, 1.25]], 'mask': m}, 3)}
     * with m = {@code np.zeros((4, 5), np.uint8)}, {@code m[1, 2] = m[3, 4] = 1}; CPython 3.11.7, numpy
     * 2.4.6 with numpy 1.x's {@code _reconstruct} module name (see {@link PickleWriterTest}).
     */
    private static final String META_P3 = "80037d710028580600000070726f6d707471015805000000612063617471025806000000706f696e747371035d710428"
            + "5d7105284b014b02655d71062847400c0000000000004b00655d7107284b044b03655d7108284b00473ff40000000000"
            + "00656558040000006d61736b7109636e756d70792e636f72652e6d756c746961727261790a5f7265636f6e7374727563"
            + "740a710a636e756d70790a6e6461727261790a710b4b0085710c430162710d87710e52710f284b014b044b0586711063"
            + "6e756d70790a64747970650a71115802000000753171128988877113527114284b0358010000007c71154e4e4e4affff"
            + "ffff4affffffff4b00747116628943140000000000000001000000000000000000000001711774711862752e";

    @Test
    void metaDataIsWhatCPythonAndNumpyWrite() {
        boolean[] flags = new boolean[5 * 4];
        flags[1 * 5 + 2] = true; // m[1, 2]: row 1, column 2
        flags[3 * 5 + 4] = true;
        List<PointPair> points = List.of(new PointPair(1, 2, 3.5, 0), new PointPair(4, 3, 0, 1.25));
        byte[] meta = DragBenchWriter.metaData("a cat", points, new EditMask(5, 4, flags));
        assertEquals(META_P3, HexFormat.of().formatHex(meta));
    }

    private static EditMask mask() {
        boolean[] flags = new boolean[W * H];
        for (int y = 3; y <= 9; y++) {
            for (int x = 5; x <= 20; x++) {
                flags[y * W + x] = true;
            }
        }
        flags[W - 1] = true; // top-right corner (x 47, y 0)
        flags[(H - 1) * W] = true; // bottom-left corner (x 0, y 31)
        return new EditMask(W, H, flags);
    }

    private static DragSample sample(long seed, String prompt) {
        List<PointPair> points = List.of(new PointPair(2.5, 3.25, 40.75, 30), new PointPair(47, 31, 0, 0),
                new PointPair(10, 0.1, 1e-3, 31));
        return new DragSample(ImageTensorsTest.randomImage(W, H, seed), mask(), prompt, points);
    }

    @Test
    void writtenSamplesReadBackEqual() throws IOException {
        DragSample s = sample(1, "a photo of a cat in Zürich ☃ 🐱");
        Path dir = root.resolve("animals/JH_2023-09-14-1820-16");
        DragBenchWriter.write(s, dir);
        DragSample back = DragBenchReader.read(dir);
        assertEquals(s.image(), back.image());
        assertEquals(s.mask(), back.mask());
        assertTrue(back.mask().isEditable(W - 1, 0) && back.mask().isEditable(0, H - 1));
        assertFalse(back.mask().isEditable(0, 0));
        assertEquals(s.prompt(), back.prompt());
        assertEquals(s.points(), back.points());
        assertEquals(s, back);
        assertEquals(List.of(dir), DragBenchReader.list(root));

        DragSample empty = new DragSample(s.image(), EditMask.empty(W, H), "", List.of(new PointPair(-0.0, 0, 0, 0)));
        DragBenchWriter.write(empty, dir); // replaces both files
        assertEquals(empty, DragBenchReader.read(dir));
        try (var files = Files.list(dir)) {
            assertEquals(List.of(DragBenchReader.META_FILE, DragBenchReader.IMAGE_FILE), // sorted
                    files.map(p -> p.getFileName().toString()).sorted().toList());
        }
    }

    @Test
    void metaDataHasDragBenchsLayout() {
        DragSample s = sample(2, "p");
        Map<?, ?> meta = (Map<?, ?>) PickleReader.parse(DragBenchWriter.metaData(s.prompt(), s.points(), s.mask()));
        assertEquals(List.of("prompt", "points", "mask"), List.copyOf(meta.keySet()));
        assertEquals("p", meta.get("prompt"));
        // handle, target, handle, target, ...: integral coordinates as ints, the others as floats
        assertEquals(List.of(List.of(2.5, 3.25), List.of(40.75, 30L), List.of(47L, 31L), List.of(0L, 0L),
                List.of(10L, 0.1), List.of(1e-3, 31L)), meta.get("points"));
        NdArray m = (NdArray) meta.get("mask");
        assertEquals("|u1", m.dtype());
        assertArrayEquals(new long[] {H, W}, m.shape());
        assertFalse(m.fortranOrder());
        long[] values = m.toLongArray();
        boolean[] flags = s.mask().editable();
        for (int i = 0; i < values.length; i++) {
            assertEquals(flags[i] ? 1 : 0, values[i], "element " + i);
        }
    }

    @Test
    void refusesSamplesTheReaderWouldRefuse() {
        DragSample noPoints = new DragSample(ImageTensorsTest.randomImage(W, H, 3), mask(), "x", List.of());
        Path dir = root.resolve("c/none");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> DragBenchWriter.write(noPoints, dir));
        assertTrue(e.getMessage().contains("at least one point pair"), e.getMessage());
        assertFalse(Files.exists(dir), "nothing is written");

        e = assertThrows(IllegalArgumentException.class, () -> DragBenchWriter.metaData("x",
                List.of(new PointPair(1, 1, 48, 2)), mask()));
        assertTrue(e.getMessage().contains("point pair 1 (1,1:48,2) is outside the 48x32 mask"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> DragBenchWriter.metaData(null, List.of(), mask()));
    }
}
