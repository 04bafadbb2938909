package org.draglora.sessions;

/**
 * Marks what crosses a serialization boundary (journal events, session state, remote messages):
 * bound to Pekko's Jackson CBOR serializer in {@code reference.conf}.
 */
public interface CborSerializable {}
