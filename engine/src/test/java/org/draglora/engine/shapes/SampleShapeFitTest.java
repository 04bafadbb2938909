package org.draglora.engine.shapes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.EnumMap;
import java.util.Map;
import org.draglora.engine.io.RgbImage;
import org.junit.jupiter.api.Test;

class SampleShapeFitTest {

    /** A plain scene (one solid object, flat background) of every kind, the first the generator gives from seed 0 on. */
    private static Map<ShapeKind, Scene> plainSceneOfEachKind() {
        Map<ShapeKind, Scene> scenes = new EnumMap<>(ShapeKind.class);
        for (long seed = 0; scenes.size() < ShapeKind.values().length; seed++) {
            Scene s = SceneGenerator.plain(seed, 64, 64);
            scenes.putIfAbsent(s.objects().get(0).kind(), s);
            assertTrue(seed < 10_000, "the generator draws every kind: " + scenes.keySet());
        }
        return scenes;
    }

    @Test
    void aRenderedObjectIsFittedBestByItsOwnKind() {
        for (Scene s : plainSceneOfEachKind().values()) {
            ShapeObject o = s.objects().get(0);
            SampleShapeFit.Fit f = SampleShapeFit.fit(s.render(), o);
            assertTrue(f.found(), s.prompt());
            assertEquals(o.kind(), f.bestKind(), s.prompt() + ": " + f);
            assertTrue(f.promptedIou() > 0.85, s.prompt() + ": " + f);
            assertEquals(f.bestIou(), f.promptedIou());
        }
    }

    @Test
    void anObjectDrawnAsAnotherKindIsNotThePromptedShape() {
        Map<ShapeKind, Scene> scenes = plainSceneOfEachKind();
        for (Scene s : scenes.values()) {
            ShapeObject prompted = s.objects().get(0);
            for (ShapeKind drawn : ShapeKind.values()) {
                if (drawn == prompted.kind()) {
                    continue;
                }
                RgbImage image = s.withObject(0, prompted.withKind(drawn)).render();
                SampleShapeFit.Fit f = SampleShapeFit.fit(image, prompted);
                assertTrue(f.found(), s.prompt() + " drawn as a " + drawn.noun());
                assertFalse(f.kindRight(), s.prompt() + " drawn as a " + drawn.noun() + ": " + f);
                assertEquals(drawn, f.bestKind(), s.prompt() + " drawn as a " + drawn.noun() + ": " + f);
                assertTrue(f.promptedIou() < f.bestIou(), f.toString());
            }
        }
    }

    @Test
    void aPictureWithoutThePromptedColoursHasNoObject() {
        Scene s = SceneGenerator.plain(3, 64, 64);
        ShapeObject o = s.objects().get(0);
        Background bg = s.background();
        RgbImage flat = RgbImage.filled(64, 64, bg.colour().red(), bg.colour().green(), bg.colour().blue());
        SampleShapeFit.Fit f = SampleShapeFit.fit(flat, o);
        assertFalse(f.found());
        assertFalse(f.kindRight());
        assertEquals(0, f.promptedIou());
    }

    @Test
    void theLargestComponentIsTheDrawnObjectAndStrayPixelsDoNotCount() {
        Scene s = plainSceneOfEachKind().get(ShapeKind.SQUARE);
        ShapeObject o = s.objects().get(0);
        RgbImage image = s.render();
        byte[] rgb = image.rgb();
        // a 2x2 speck of the square's colour in a corner far from the square
        int cx = o.centreX() < 32 ? 60 : 1;
        int cy = o.centreY() < 32 ? 60 : 1;
        for (int y = cy; y < cy + 2; y++) {
            for (int x = cx; x < cx + 2; x++) {
                int p = 3 * (y * 64 + x);
                rgb[p] = (byte) o.fill().red();
                rgb[p + 1] = (byte) o.fill().green();
                rgb[p + 2] = (byte) o.fill().blue();
            }
        }
        SampleShapeFit.Fit clean = SampleShapeFit.fit(s.render(), o);
        SampleShapeFit.Fit speck = SampleShapeFit.fit(new RgbImage(64, 64, rgb), o);
        assertEquals(clean.area(), speck.area());
        assertEquals(clean.promptedIou(), speck.promptedIou());
    }
}
