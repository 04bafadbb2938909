package org.draglora.sessions.collab;

/**
 * Someone connected to a session's room.
 *
 * @param id the room's id for them ("p1", "p2", ...)
 * @param name the name they gave
 * @param colour their colour in every client ("#rrggbb")
 * @param canEdit whether they hold the edit capability (else they watch)
 * @param cursorX their pointer over the image in image pixels, or {@code null}
 * @param cursorY likewise
 */
public record Participant(String id, String name, String colour, boolean canEdit, Double cursorX, Double cursorY) {

    /** The same participant with the pointer at ({@code x}, {@code y}). */
    public Participant withCursor(double x, double y) {
        return new Participant(id, name, colour, canEdit, x, y);
    }
}
