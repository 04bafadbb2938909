package org.draglora.sessions.edit;

import org.draglora.sessions.CborSerializable;

/**
 * A change and the drag step before which it applies: {@code atDragStep} drag iterations had run
 * when the engine took it. Changes made while the edit prepares apply before drag step 0. This
 * index, not the wall clock, is what lets a replay apply every change where it was applied live.
 */
public record TimedChange(int atDragStep, Change change) implements CborSerializable {}
