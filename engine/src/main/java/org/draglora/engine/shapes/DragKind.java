package org.draglora.engine.shapes;

/** The kinds of ShapeDrag task. */
public enum DragKind {
    /** One object translated by a vector; the handle lies inside it. */
    MOVE_ONE,
    /** Two or three objects, each translated by its own vector. */
    MOVE_MANY,
    /**
     * One object stretched along its own axis: the handle sits just inside its outline on that axis, the target
     * lies further out, and the outline point opposite stays where it is.
     */
    STRETCH
}
