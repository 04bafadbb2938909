package org.draglora.engine.shapes;

/** How a scene's background is painted. */
public enum BackgroundKind {
    /** One colour. */
    FLAT,
    /** A linear blend between two colours across the image. */
    GRADIENT,
    /** Straight anti-aliased bands of two close tones. */
    STRIPES,
    /** Smooth value noise (two octaves) around one colour, grey-level only. */
    NOISE
}
