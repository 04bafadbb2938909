package org.draglora.sessions.edit;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import org.draglora.sessions.CborSerializable;

/**
 * A live change to an edit's points or mask. The session applies changes to the engine at step
 * boundaries, in the order it accepted them; a later move of the same point simply overrides an
 * earlier one at the same boundary (latest wins).
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
    @JsonSubTypes.Type(value = Change.AddPoint.class, name = "add"),
    @JsonSubTypes.Type(value = Change.MovePoint.class, name = "move"),
    @JsonSubTypes.Type(value = Change.RemovePoint.class, name = "remove"),
    @JsonSubTypes.Type(value = Change.SetMask.class, name = "mask")})
public sealed interface Change extends CborSerializable {

    /** A new point pair with the session's next id. */
    record AddPoint(int id, PointPair pair) implements Change {}

    /** Point {@code id} now has {@code pair} (a changed handle re-anchors the point). */
    record MovePoint(int id, PointPair pair) implements Change {}

    /** Point {@code id} is gone. */
    record RemovePoint(int id) implements Change {}

    /** The editable mask is now {@code maskHash} ({@code null} = empty). */
    record SetMask(String maskHash) implements Change {}
}
