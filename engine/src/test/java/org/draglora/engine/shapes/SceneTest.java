package org.draglora.engine.shapes;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.draglora.engine.io.RgbImage;
import org.junit.jupiter.api.Test;

/** Rendering, object masks, prompts and the scene generator's rules. */
class SceneTest {

    private static final ShapeColour RED = Palette.OBJECT_COLOURS.get(0);
    private static final ShapeColour BLUE = Palette.OBJECT_COLOURS.get(2);
    private static final ShapeColour ORANGE = Palette.OBJECT_COLOURS.get(4);
    private static final ShapeColour GREY = Palette.BACKGROUND_COLOURS.get(0);

    @Test
    void sameSeedSameBytesAndPrompt() {
        for (long seed = 0; seed < 20; seed++) {
            Scene a = SceneGenerator.generate(seed, 64, 64);
            Scene b = SceneGenerator.generate(seed, 64, 64);
            assertEquals(a, b);
            assertArrayEquals(a.render().rgb(), b.render().rgb());
            assertEquals(a.prompt(), b.prompt());
        }
    }

    @Test
    void differentSeedsDiffer() {
        Set<RgbImage> images = new HashSet<>();
        Set<String> prompts = new HashSet<>();
        for (long seed = 0; seed < 50; seed++) {
            Scene s = SceneGenerator.generate(seed, 64, 64);
            images.add(s.render());
            prompts.add(s.prompt());
        }
        assertEquals(50, images.size());
        assertTrue(prompts.size() > 40, prompts.size() + " distinct prompts");
    }

    @Test
    void rendersHaveTheSceneSize() {
        int[][] sizes = {{64, 64}, {96, 64}, {64, 128}, {128, 128}, {17, 40}};
        for (int[] s : sizes) {
            RgbImage img = SceneGenerator.generate(3, s[0], s[1]).render();
            assertEquals(s[0], img.width());
            assertEquals(s[1], img.height());
        }
    }

    @Test
    void objectMasksShowTheObjectsColours() {
        for (long seed = 0; seed < 60; seed++) {
            Scene scene = SceneGenerator.generate(seed, 64, 64);
            byte[] rgb = scene.render().rgb();
            for (int k = 0; k < scene.objects().size(); k++) {
                ShapeObject o = scene.objects().get(k);
                boolean[] mask = scene.objectMask(k);
                int visible = 0;
                int close = 0;
                for (int i = 0; i < mask.length; i++) {
                    if (!mask[i]) {
                        continue;
                    }
                    visible++;
                    double d = Palette.distanceToSegment(rgb[3 * i] & 0xff, rgb[3 * i + 1] & 0xff, rgb[3 * i + 2] & 0xff,
                            o.fill(), o.secondColour());
                    close += d <= ShapeDragMetrics.DEFAULT_COLOUR_TOLERANCE ? 1 : 0;
                    int x = i % 64;
                    int y = i / 64;
                    if (o.depth(x, y) >= 0.75 && clearOfLaterObjects(scene, k, x, y)) {
                        assertTrue(d <= 1.5, "seed " + seed + " object " + k + " pixel (" + x + ", " + y + ") is "
                                + d + " from its colours");
                    }
                }
                assertTrue(visible > 0, "seed " + seed + " object " + k + " is hidden");
                assertTrue(close >= 0.8 * visible, "seed " + seed + " object " + k + ": " + close + " of " + visible);
            }
        }
    }

    private static boolean clearOfLaterObjects(Scene scene, int k, int x, int y) {
        for (int j = k + 1; j < scene.objects().size(); j++) {
            if (scene.objects().get(j).depth(x, y) > -0.75) {
                return false;
            }
        }
        return true;
    }

    @Test
    void objectMaskIsTheTopmostObject() {
        ShapeObject under = ShapeObject.solid(ShapeKind.SQUARE, 20, 20, 10, 0, RED);
        ShapeObject over = ShapeObject.solid(ShapeKind.DISC, 28, 20, 6, 0, BLUE);
        Scene scene = new Scene(48, 40, Background.flat(GREY), List.of(under, over));
        boolean[] red = scene.objectMask(0);
        boolean[] blue = scene.objectMask(1);
        assertTrue(red[20 * 48 + 20]);
        assertFalse(red[20 * 48 + 28]);
        assertTrue(blue[20 * 48 + 28]);
        assertFalse(blue[5 * 48 + 5] || red[5 * 48 + 5]);
        assertThrows(IllegalArgumentException.class, () -> scene.objectMask(2));
    }

    @Test
    void edgesAreAntiAliasedAndCoverageIsExact() {
        double r = 9.3;
        Scene scene = new Scene(32, 32, Background.flat(GREY),
                List.of(ShapeObject.solid(ShapeKind.DISC, 15.2, 16.7, r, 0, RED)));
        byte[] rgb = scene.render().rgb();
        int between = 0;
        double covered = 0;
        for (int i = 0; i < 32 * 32; i++) {
            int red = rgb[3 * i] & 0xff;
            double alpha = (red - GREY.red()) / (double) (RED.red() - GREY.red());
            covered += alpha;
            if (alpha > 0.05 && alpha < 0.95) {
                between++;
                double dist = Math.hypot(i % 32 - 15.2, i / 32 - 16.7);
                assertTrue(Math.abs(dist - r) < 0.75, "blended pixel " + dist + " from the centre");
            }
        }
        assertTrue(between > 20, between + " blended pixels");
        assertEquals(Math.PI * r * r, covered, 0.01 * Math.PI * r * r);
    }

    @Test
    void everyKindAndTextureRendersInsideItsOutline() {
        for (ShapeKind kind : ShapeKind.values()) {
            for (Texture texture : Texture.values()) {
                ShapeObject o = new ShapeObject(kind, 20, 20, 12, 0.3, 1.2, ORANGE, texture, Palette.shadeOf(ORANGE));
                Scene scene = new Scene(40, 40, Background.flat(GREY), List.of(o));
                byte[] rgb = scene.render().rgb();
                for (int i = 0; i < 40 * 40; i++) {
                    boolean grey = (rgb[3 * i] & 0xff) == GREY.red() && (rgb[3 * i + 1] & 0xff) == GREY.green()
                            && (rgb[3 * i + 2] & 0xff) == GREY.blue();
                    double depth = o.depth(i % 40, i / 40);
                    if (depth < -0.75) {
                        assertTrue(grey, kind + " " + texture + " paints outside at " + i);
                    } else if (depth > 0.75) {
                        assertFalse(grey, kind + " " + texture + " leaves a hole at " + i);
                    }
                }
            }
        }
    }

    @Test
    void fieldsAreOneLipschitz() {
        SplittableRandom rng = new SplittableRandom(5);
        for (ShapeKind kind : ShapeKind.values()) {
            for (int i = 0; i < 20000; i++) {
                double u = rng.nextDouble(-1.6, 1.6);
                double v = rng.nextDouble(-1.6, 1.6);
                double du = rng.nextDouble(-0.2, 0.2);
                double dv = rng.nextDouble(-0.2, 0.2);
                double change = Math.abs(kind.field(u + du, v + dv) - kind.field(u, v));
                assertTrue(change <= Math.hypot(du, dv) + 1e-12, kind + " at (" + u + ", " + v + ")");
            }
        }
    }

    @Test
    void starFieldMatchesTheStarPolygon() {
        double[] xs = new double[10];
        double[] ys = new double[10];
        for (int k = 0; k < 10; k++) {
            double r = k % 2 == 0 ? 1.1 : 0.5;
            double a = Math.toRadians(-90 + 36 * k);
            xs[k] = r * Math.cos(a);
            ys[k] = r * Math.sin(a);
        }
        SplittableRandom rng = new SplittableRandom(6);
        for (int i = 0; i < 20000; i++) {
            double u = rng.nextDouble(-1.2, 1.2);
            double v = rng.nextDouble(-1.2, 1.2);
            double f = ShapeKind.STAR.field(u, v);
            if (Math.abs(f) > 1e-9) {
                assertEquals(insidePolygon(xs, ys, u, v), f < 0, "(" + u + ", " + v + ")");
            }
        }
    }

    private static boolean insidePolygon(double[] xs, double[] ys, double x, double y) {
        boolean inside = false;
        for (int i = 0, j = xs.length - 1; i < xs.length; j = i++) {
            if ((ys[i] > y) != (ys[j] > y) && x < (xs[j] - xs[i]) * (y - ys[i]) / (ys[j] - ys[i]) + xs[i]) {
                inside = !inside;
            }
        }
        return inside;
    }

    @Test
    void promptsNameColoursKindsTexturesAndBackground() {
        ShapeObject disc = ShapeObject.solid(ShapeKind.DISC, 10, 10, 8, 0, RED);
        ShapeObject star = new ShapeObject(ShapeKind.STAR, 40, 40, 8, 0, 1, BLUE, Texture.STRIPES,
                Palette.shadeOf(BLUE));
        ShapeObject square = ShapeObject.solid(ShapeKind.SQUARE, 30, 10, 8, 0, ORANGE);
        Background stripes = Background.stripes(GREY, Palette.stripeToneOf(GREY), 0.5, 10);
        assertEquals("a red disc and a blue striped star on a grey striped background",
                new Scene(64, 64, stripes, List.of(disc, star)).prompt());
        assertEquals("an orange square, a red disc and a blue striped star on a grey background",
                new Scene(64, 64, Background.flat(GREY), List.of(square, disc, star)).prompt());
        assertEquals("a grey mottled background", new Scene(64, 64, Background.noise(GREY, 12, 1), List.of()).prompt());
    }

    @Test
    void generatedScenesFollowTheRules() {
        for (long seed = 0; seed < 300; seed++) {
            Scene s = SceneGenerator.generate(seed, 64, 64);
            List<ShapeObject> objects = s.objects();
            assertTrue(objects.size() >= 1 && objects.size() <= 3, "seed " + seed);
            for (int i = 0; i < objects.size(); i++) {
                ShapeObject a = objects.get(i);
                double r = a.boundingRadius();
                assertTrue(a.size() >= 8 * 0.5 && a.size() <= 20, "seed " + seed + " size " + a.size());
                assertTrue(a.centreX() >= 0.7 * r - 1e-9 && a.centreX() <= 63 - 0.7 * r + 1e-9, "seed " + seed);
                assertTrue(a.centreY() >= 0.7 * r - 1e-9 && a.centreY() <= 63 - 0.7 * r + 1e-9, "seed " + seed);
                for (int j = i + 1; j < objects.size(); j++) {
                    ShapeObject b = objects.get(j);
                    assertTrue(Math.hypot(a.centreX() - b.centreX(), a.centreY() - b.centreY())
                            >= 0.75 * (r + b.boundingRadius()) - 1e-9, "seed " + seed);
                    int ia = Palette.OBJECT_COLOURS.indexOf(a.fill());
                    int ib = Palette.OBJECT_COLOURS.indexOf(b.fill());
                    assertTrue(Palette.separation(ia, ib) >= Palette.MIN_SEPARATION, "seed " + seed);
                }
            }
        }
    }

    @Test
    void generatedObjectsAreUprightAndPlainScenesAreOneSolidObjectOnAFlatBackground() {
        java.util.Set<ShapeKind> seen = java.util.EnumSet.noneOf(ShapeKind.class);
        for (long seed = 0; seed < 200; seed++) {
            Scene s = SceneGenerator.generate(seed, 64, 64);
            for (ShapeObject o : s.objects()) {
                assertEquals(0, o.rotation(), "seed " + seed);
            }
            Scene plain = SceneGenerator.plain(seed, 64, 64);
            assertEquals(plain, SceneGenerator.plain(seed, 64, 64), "a pure function of the seed");
            assertEquals(1, plain.objects().size(), "seed " + seed);
            ShapeObject o = plain.objects().get(0);
            assertEquals(Texture.SOLID, o.texture(), "seed " + seed);
            assertEquals(o.fill(), o.secondColour(), "seed " + seed);
            assertEquals(BackgroundKind.FLAT, plain.background().kind(), "seed " + seed);
            Scene one = SceneGenerator.generate(seed, 64, 64, SceneConstraints.exactly(1, 64, 64));
            ShapeObject same = one.objects().get(0);
            assertEquals(List.of(same.kind(), same.centreX(), same.centreY(), same.size(), same.fill()),
                    List.of(o.kind(), o.centreX(), o.centreY(), o.size(), o.fill()), "the one-object scene's object");
            assertEquals(one.background().colour(), plain.background().colour(), "seed " + seed);
            seen.add(o.kind());
        }
        assertEquals(java.util.EnumSet.allOf(ShapeKind.class), seen, "every kind appears among 200 plain scenes");
    }

    @Test
    void plainScenesOfSeveralObjectsAreTheGeneratedObjectsMadeSolidOnAFlatBackground() {
        int[] counts = new int[4];
        for (long seed = 0; seed < 120; seed++) {
            Scene plain = SceneGenerator.plain(seed, 64, 64, 3);
            assertEquals(plain, SceneGenerator.plain(seed, 64, 64, 3), "a pure function of the seed");
            assertEquals(BackgroundKind.FLAT, plain.background().kind(), "seed " + seed);
            Scene full = SceneGenerator.generate(seed, 64, 64);
            assertEquals(full.objects().size(), plain.objects().size(), "the default 1 to 3 objects, seed " + seed);
            for (int k = 0; k < plain.objects().size(); k++) {
                ShapeObject o = plain.objects().get(k);
                ShapeObject same = full.objects().get(k);
                assertEquals(Texture.SOLID, o.texture(), "seed " + seed);
                assertEquals(o.fill(), o.secondColour(), "seed " + seed);
                assertEquals(List.of(same.kind(), same.centreX(), same.centreY(), same.size(), same.fill()),
                        List.of(o.kind(), o.centreX(), o.centreY(), o.size(), o.fill()), "seed " + seed);
            }
            assertEquals(full.background().colour(), plain.background().colour(), "seed " + seed);
            counts[plain.objects().size()]++;
            assertEquals(SceneGenerator.plain(seed, 64, 64), SceneGenerator.plain(seed, 64, 64, 1),
                    "at most one object is the one-object plain scene");
        }
        for (int n = 1; n <= 3; n++) {
            assertTrue(counts[n] > 20, n + " objects in " + counts[n] + " of 120 plain scenes");
        }
    }

    @Test
    void plainScenesOfTwoToThreeObjectsHoldNoFewerThanTwo() {
        int[] counts = new int[4];
        for (long seed = 0; seed < 120; seed++) {
            Scene plain = SceneGenerator.plain(seed, 64, 64, 2, 3);
            assertEquals(plain, SceneGenerator.plain(seed, 64, 64, 2, 3), "a pure function of the seed");
            assertEquals(BackgroundKind.FLAT, plain.background().kind(), "seed " + seed);
            for (ShapeObject o : plain.objects()) {
                assertEquals(Texture.SOLID, o.texture(), "seed " + seed);
            }
            counts[plain.objects().size()]++;
        }
        assertEquals(0, counts[1], "never one object");
        assertTrue(counts[2] > 30 && counts[3] > 30, java.util.Arrays.toString(counts));
        assertThrows(IllegalArgumentException.class, () -> SceneGenerator.plain(1, 64, 64, 3, 2));
    }

    @Test
    void constraintsControlTheObjectCount() {
        for (int n = 1; n <= SceneConstraints.MAX_OBJECTS; n++) {
            for (long seed = 0; seed < 20; seed++) {
                assertEquals(n, SceneGenerator.generate(seed, 64, 64, SceneConstraints.exactly(n, 64, 64))
                        .objects().size());
            }
        }
        Scene small = SceneGenerator.generate(5, 64, 64, new SceneConstraints(2, 2, 4, 5));
        for (ShapeObject o : small.objects()) {
            assertTrue(o.size() >= 4 && o.size() <= 5);
        }
    }

    @Test
    void scenesScaleWithTheImage() {
        Scene small = SceneGenerator.generate(11, 64, 64);
        Scene large = SceneGenerator.generate(11, 128, 128);
        assertEquals(small.prompt(), large.prompt());
        for (int i = 0; i < small.objects().size(); i++) {
            assertEquals(2 * small.objects().get(i).size(), large.objects().get(i).size(), 1e-9);
        }
    }

    @Test
    void badParametersAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> SceneGenerator.generate(1, 8, 64));
        assertThrows(IllegalArgumentException.class, () -> new SceneConstraints(0, 2, 8, 20));
        assertThrows(IllegalArgumentException.class, () -> new SceneConstraints(3, 2, 8, 20));
        assertThrows(IllegalArgumentException.class, () -> new SceneConstraints(1, 2, 20, 8));
        assertThrows(IllegalArgumentException.class, () -> new ShapeColour("red", 256, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> ShapeObject.solid(ShapeKind.DISC, 1, 1, 0, 0, RED));
        assertThrows(IllegalArgumentException.class, () -> Background.stripes(GREY, GREY, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> new Scene(0, 10, Background.flat(GREY), List.of()));
    }

    @Test
    void paletteKeepsObjectsApartFromBackgrounds() {
        for (ShapeColour o : Palette.OBJECT_COLOURS) {
            ShapeColour shade = Palette.shadeOf(o);
            for (ShapeColour a : Palette.BACKGROUND_COLOURS) {
                for (ShapeColour b : Palette.BACKGROUND_COLOURS) {
                    for (int k = 0; k <= 10; k++) { // gradient mixes
                        double t = k / 10.0;
                        assertTrue(dist(o, shade, a.red() + t * (b.red() - a.red()), a.green() + t * (b.green() - a.green()),
                                a.blue() + t * (b.blue() - a.blue())) >= 85, o + " vs " + a + "/" + b);
                    }
                }
                ShapeColour tone = Palette.stripeToneOf(a);
                assertTrue(dist(o, shade, tone.red(), tone.green(), tone.blue()) >= 85, o + " vs tone of " + a);
                for (double d : new double[] {-Background.NOISE_AMPLITUDE, Background.NOISE_AMPLITUDE}) {
                    assertTrue(dist(o, shade, a.red() + d, a.green() + d, a.blue() + d) >= 85, o + " vs noisy " + a);
                }
            }
        }
        assertNotEquals(0, Palette.separation(0, 1));
        assertEquals(0, Palette.separation(3, 3));
    }

    private static double dist(ShapeColour o, ShapeColour shade, double r, double g, double b) {
        return Palette.distanceToSegment(r, g, b, o, shade);
    }

    @Test
    void renderingIsFast() {
        List<Scene> scenes = new ArrayList<>();
        for (long seed = 0; seed < 200; seed++) {
            scenes.add(SceneGenerator.generate(seed, 64, 64));
        }
        long bytes = 0;
        for (int round = 0; round < 5; round++) { // warm-up
            for (Scene s : scenes) {
                bytes += s.render().width();
            }
        }
        long t0 = System.nanoTime();
        for (int round = 0; round < 10; round++) {
            for (Scene s : scenes) {
                bytes += s.render().width();
            }
        }
        double perScene = (System.nanoTime() - t0) / 1e6 / (10 * scenes.size());
        assertTrue(bytes > 0);
        // about 0.03 ms on a desktop core; the bound leaves room for slow, shared CI machines
        assertTrue(perScene < 2.0, perScene + " ms per 64x64 scene");
    }
}
