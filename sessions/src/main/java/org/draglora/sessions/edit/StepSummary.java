package org.draglora.sessions.edit;

import java.util.ArrayList;
import java.util.List;
import org.draglora.engine.edit.StepRecord;
import org.draglora.sessions.CborSerializable;

/**
 * One engine step as the session's timeline keeps it: what the client replays (mode, points,
 * minD, losses, preview) and what it cost. The preview image lives in the blob store.
 *
 * @param phase "RECLORA", "INVERSION", "DRAG", "DENOISE" or "DECODE"
 * @param index the step's index within its phase
 * @param total the phase's planned length (the drag's: its DOO budget)
 * @param mode "DOO" or "ILFA_ONLY" for drag steps, else {@code null}
 * @param points every point after the step
 * @param loss the total loss (NaN where none)
 * @param dragLoss the drag term (NaN where none)
 * @param forwardPasses UNet forward passes
 * @param backwardPasses UNet backward passes
 * @param deviceNanos time on the device thread
 * @param previewHash the latent preview in the blob store, or {@code null}
 * @param event the switching rule's event, or {@code null}
 * @param nextPhase the engine's phase after the step
 */
public record StepSummary(String phase, int index, int total, String mode, List<PointState> points, double loss,
        double dragLoss, int forwardPasses, int backwardPasses, long deviceNanos, String previewHash, String event,
        String nextPhase) implements CborSerializable {

    /** A point after a step, in image pixels; {@code minD} is NaN when the step did not track. */
    public record PointState(int id, double handleX, double handleY, double targetX, double targetY, double minD,
            double distance) implements CborSerializable {}

    public StepSummary {
        points = List.copyOf(points);
    }

    /** The summary of {@code r}, the engine being in {@code nextPhase} afterwards. */
    public static StepSummary of(StepRecord r, String previewHash, String nextPhase) {
        List<PointState> ps = new ArrayList<>();
        for (StepRecord.PointState p : r.points()) {
            ps.add(new PointState(p.id(), p.handleX(), p.handleY(), p.targetX(), p.targetY(), p.minD(), p.distance()));
        }
        return new StepSummary(r.phase().name(), r.index(), r.total(), r.mode() == null ? null : r.mode().name(), ps,
                r.losses().total(), r.losses().drag(), r.forwardPasses(), r.backwardPasses(), r.nanos(), previewHash,
                r.event(), nextPhase);
    }

    /** Whether this was a drag iteration. */
    public boolean isDrag() {
        return "DRAG".equals(phase);
    }
}
