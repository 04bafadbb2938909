package org.draglora.sessions.edit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.draglora.engine.session.EditEngine;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Edit sessions end to end on the embedded model: real actors, a real H2 journal file, the real
 * engine on the GPU scheduler's thread.
 */
class EditSessionTest {

    private static EditEngine engine;
    @TempDir
    static Path cache;

    @BeforeAll
    static void load() throws Exception {
        engine = SessionFixture.loadEngine(cache);
    }

    @AfterAll
    static void unload() {
        engine.close();
    }

    @Test
    void finishesAndTheReplayReproducesTheResultBitForBit(@TempDir Path dir) throws Exception {
        try (SessionFixture f = new SessionFixture(dir, engine)) {
            ActorRef<SessionCommand> s = f.spawn("finish");
            TestProbe<SessionState> probe = f.kit.createTestProbe();
            s.tell(new SessionCommand.Subscribe(probe.ref()));
            f.accept(s, r -> new SessionCommand.Open(f.spec(3, 6), r));
            f.accept(s, SessionCommand.Start::new);
            SessionState done = f.await(probe, st -> st.status() == SessionStatus.FINISHED);

            assertNotNull(done.resultHash());
            assertTrue(done.dragSteps() >= 1, "the drag ran");
            long drags = done.timeline().stream().filter(StepSummary::isDrag).count();
            assertEquals(done.dragSteps(), drags);
            assertTrue(done.timeline().stream().filter(StepSummary::isDrag).allMatch(x -> x.previewHash() != null),
                    "every drag step has a preview in the blob store");
            byte[] result = f.blobs.require(done.resultHash());
            assertEquals(64 * 64 * 3, result.length);
            assertArrayEquals(result, f.replay(done), "re-execution from the journal reproduces the result");
        }
    }

    @Test
    void aPointMovedMidRunChangesTheMotionWithinOneStepAndReplaysExactly(@TempDir Path dir) throws Exception {
        try (SessionFixture f = new SessionFixture(dir, engine)) {
            ActorRef<SessionCommand> s = f.spawn("move");
            TestProbe<SessionState> probe = f.kit.createTestProbe();
            s.tell(new SessionCommand.Subscribe(probe.ref()));
            SessionSpec spec = f.spec(5, 12);
            f.accept(s, r -> new SessionCommand.Open(spec, r));
            f.accept(s, SessionCommand.Start::new);
            SessionState mid = f.await(probe, st -> st.dragSteps() >= 2);
            PointPair p = mid.points().get(0);
            PointPair moved = new PointPair(p.handleX(), p.handleY(), 8, 8);
            SessionCommand.Accepted a = f.accept(s, r -> new SessionCommand.MovePoint(0, moved, r));
            assertEquals(0, a.pointId());
            int acceptedAt = f.state(s).dragSteps();
            SessionState after = f.await(probe, st -> st.dragSteps() >= acceptedAt + 2
                    || st.status() == SessionStatus.FINISHED);
            // the drag step right after the boundary (at most one step in flight) already pulls to (8, 8)
            StepSummary firstAfter = after.timeline().stream().filter(StepSummary::isDrag).skip(acceptedAt + 1)
                    .findFirst().orElseThrow();
            assertEquals(8.0, firstAfter.points().get(0).targetX());
            assertEquals(8.0, firstAfter.points().get(0).targetY());
            SessionState done = f.await(probe, st -> st.status() == SessionStatus.FINISHED);
            assertEquals(1, done.changes().size());
            assertArrayEquals(f.blobs.require(done.resultHash()), f.replay(done),
                    "the replay applies the move at the step where it was applied live");
        }
    }

    @Test
    void cancelStopsWithinOneStep(@TempDir Path dir) throws Exception {
        try (SessionFixture f = new SessionFixture(dir, engine)) {
            ActorRef<SessionCommand> s = f.spawn("cancel");
            TestProbe<SessionState> probe = f.kit.createTestProbe();
            s.tell(new SessionCommand.Subscribe(probe.ref()));
            f.accept(s, r -> new SessionCommand.Open(f.spec(7, 40), r));
            f.accept(s, SessionCommand.Start::new);
            f.await(probe, st -> st.dragSteps() >= 1);
            f.accept(s, SessionCommand.Cancel::new);
            int stepsAtCancel = f.state(s).timeline().size();
            Thread.sleep(1500);
            SessionState later = f.state(s);
            assertEquals(SessionStatus.CANCELLED, later.status());
            assertTrue(later.timeline().size() <= stepsAtCancel + 1,
                    "at most the step in flight completes: " + stepsAtCancel + " -> " + later.timeline().size());
            assertInstanceOf(SessionCommand.Refused.class, f.ask(s, r -> new SessionCommand.AddPoint(
                    new PointPair(1, 1, 2, 2), r)), "a cancelled session takes no edits");
        }
    }

    @Test
    void aSessionRecoversAfterTheSystemStopsMidEditAndFinishes(@TempDir Path dir) throws Exception {
        SessionState beforeCrash;
        try (SessionFixture f = new SessionFixture(dir, engine)) {
            ActorRef<SessionCommand> s = f.spawn("crash");
            TestProbe<SessionState> probe = f.kit.createTestProbe();
            s.tell(new SessionCommand.Subscribe(probe.ref()));
            f.accept(s, r -> new SessionCommand.Open(f.spec(9, 10), r));
            f.accept(s, SessionCommand.Start::new);
            beforeCrash = f.await(probe, st -> st.dragSteps() >= 3);
        }
        try (SessionFixture f = new SessionFixture(dir, engine)) {
            ActorRef<SessionCommand> s = f.spawn("crash");
            TestProbe<SessionState> probe = f.kit.createTestProbe();
            s.tell(new SessionCommand.Subscribe(probe.ref()));
            SessionState recovered = f.state(s);
            assertTrue(recovered.dragSteps() >= beforeCrash.dragSteps(), "the journal kept every recorded step");
            assertEquals(beforeCrash.spec(), recovered.spec());
            SessionState done = f.await(probe, st -> st.status() == SessionStatus.FINISHED);
            assertArrayEquals(f.blobs.require(done.resultHash()), f.replay(done),
                    "the recovered edit equals an uninterrupted re-execution");
        }
    }

    @Test
    void twoSessionsInterleaveFairlyOnOneScheduler(@TempDir Path dir) throws Exception {
        try (SessionFixture f = new SessionFixture(dir, engine)) {
            List<String> order = Collections.synchronizedList(new ArrayList<>());
            List<ActorRef<SessionCommand>> sessions = new ArrayList<>();
            List<TestProbe<SessionState>> probes = new ArrayList<>();
            for (String name : List.of("a", "b")) {
                ActorRef<SessionCommand> s = f.spawn(name);
                int[] seen = {0};
                ActorRef<SessionState> recorder = f.kit.spawn(Behaviors.receiveMessage(st -> {
                    if (st.dragSteps() > seen[0]) {
                        seen[0] = st.dragSteps();
                        order.add(name);
                    }
                    return Behaviors.same();
                }), "recorder-" + name);
                s.tell(new SessionCommand.Subscribe(recorder));
                TestProbe<SessionState> probe = f.kit.createTestProbe();
                s.tell(new SessionCommand.Subscribe(probe.ref()));
                sessions.add(s);
                probes.add(probe);
            }
            // prepare both, then start both: their drag steps compete for the one device thread
            for (int i = 0; i < 2; i++) {
                long seed = 11 + i;
                f.accept(sessions.get(i), r -> new SessionCommand.Open(f.spec(seed, 8), r));
            }
            for (int i = 0; i < 2; i++) {
                f.await(probes.get(i), st -> st.status() == SessionStatus.READY);
            }
            for (ActorRef<SessionCommand> s : sessions) {
                f.accept(s, SessionCommand.Start::new);
            }
            // a job that throws on the same device fails alone: both sessions carry on
            TestProbe<org.draglora.sessions.gpu.JobOutcome<String>> failed = f.kit.createTestProbe();
            f.scheduler.tell(new org.draglora.sessions.gpu.GpuScheduler.Submit<>("broken",
                    org.draglora.sessions.gpu.JobPriority.INTERACTIVE, () -> {
                        throw new IllegalStateException("boom");
                    }, failed.ref()));
            assertInstanceOf(org.draglora.sessions.gpu.JobOutcome.Failed.class, failed.receiveMessage(SessionFixture.WAIT));
            for (TestProbe<SessionState> p : probes) {
                f.await(p, st -> st.status() == SessionStatus.FINISHED);
            }
            // while both drag, neither runs more than two drag steps in a row
            List<String> overlap = overlap(order);
            int longest = 0;
            int run = 0;
            for (int i = 0; i < overlap.size(); i++) {
                run = i > 0 && overlap.get(i).equals(overlap.get(i - 1)) ? run + 1 : 1;
                longest = Math.max(longest, run);
            }
            assertTrue(overlap.size() >= 4, "the drags overlapped: " + order);
            assertTrue(longest <= 2, "interleaved fairly: " + order);
        }
    }

    /** The part of the step order while both sessions still had steps to come. */
    private static List<String> overlap(List<String> order) {
        int lastA = order.lastIndexOf("a");
        int lastB = order.lastIndexOf("b");
        return new ArrayList<>(order.subList(0, Math.min(lastA, lastB) + 1));
    }

    @Test
    void aRestartMidRunBeginsAgainFromTheCurrentPointsAndFinishes(@TempDir Path dir) throws Exception {
        try (SessionFixture f = new SessionFixture(dir, engine)) {
            ActorRef<SessionCommand> s = f.spawn("restart");
            TestProbe<SessionState> probe = f.kit.createTestProbe();
            s.tell(new SessionCommand.Subscribe(probe.ref()));
            f.accept(s, r -> new SessionCommand.Open(f.spec(19, 6), r));
            f.accept(s, SessionCommand.Start::new);
            f.await(probe, st -> st.dragSteps() >= 2);
            f.accept(s, SessionCommand.Restart::new);
            SessionState done = f.await(probe, st -> st.epoch() == 1 && st.status() == SessionStatus.FINISHED);
            assertEquals(0, done.changes().size(), "a new epoch starts without live changes");
            assertEquals(1, done.spec().points().size());
            assertTrue(done.timeline().stream().noneMatch(x -> "RECLORA".equals(x.phase())),
                    "the restart took the RecLoRA from the cache");
            assertArrayEquals(f.blobs.require(done.resultHash()), f.replay(done));
        }
    }

    @Test
    void anIdleSessionReleasesItsTensorsAndRestoresThemByReExecution(@TempDir Path dir) throws Exception {
        try (SessionFixture f = new SessionFixture(dir, engine)) {
            ActorRef<SessionCommand> s = f.kit.spawn(EditSession.create("idle", f.deps(Duration.ofMillis(600))), "idle");
            TestProbe<SessionState> probe = f.kit.createTestProbe();
            s.tell(new SessionCommand.Subscribe(probe.ref()));
            f.accept(s, r -> new SessionCommand.Open(f.spec(15, 8), r));
            f.accept(s, SessionCommand.Start::new);
            f.await(probe, st -> st.dragSteps() >= 2);
            f.accept(s, SessionCommand.Pause::new);
            assertTrue(runtime(f, s).tensorsHeld() || runtime(f, s).stepInFlight(), "held while working");
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (runtime(f, s).tensorsHeld() && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            assertTrue(!runtime(f, s).tensorsHeld(), "an idle paused session released its tensors");
            f.accept(s, SessionCommand.Resume::new);
            SessionState done = f.await(probe, st -> st.status() == SessionStatus.FINISHED);
            assertArrayEquals(f.blobs.require(done.resultHash()), f.replay(done),
                    "the restored edit continued exactly where it was");
        }
    }

    private static SessionCommand.Runtime runtime(SessionFixture f, ActorRef<SessionCommand> s) {
        return org.apache.pekko.actor.typed.javadsl.AskPattern.<SessionCommand, SessionCommand.Runtime>ask(s,
                SessionCommand.GetRuntime::new, Duration.ofSeconds(10), f.kit.scheduler()).toCompletableFuture().join();
    }

    @Test
    void editsAreRefusedWithReasonsAndUndoRedoRestoreThePoints(@TempDir Path dir) {
        try (SessionFixture f = new SessionFixture(dir, engine)) {
            ActorRef<SessionCommand> s = f.kit.spawn(EditSession.create("undo", f.deps(Duration.ofMinutes(5))), "undo");
            assertInstanceOf(SessionCommand.Refused.class, f.ask(s, SessionCommand.Start::new), "no image yet");
            f.accept(s, r -> new SessionCommand.Open(f.spec(13, 5), r));
            assertInstanceOf(SessionCommand.Refused.class,
                    f.ask(s, r -> new SessionCommand.AddPoint(new PointPair(70, 1, 2, 2), r)), "outside the image");
            assertInstanceOf(SessionCommand.Refused.class,
                    f.ask(s, r -> new SessionCommand.MovePoint(42, new PointPair(1, 1, 2, 2), r)), "no such point");
            int added = f.accept(s, r -> new SessionCommand.AddPoint(new PointPair(10, 10, 20, 20), r)).pointId();
            f.accept(s, r -> new SessionCommand.MovePoint(added, new PointPair(11, 11, 21, 21), r));
            assertEquals(new PointPair(11, 11, 21, 21), f.state(s).points().get(added));
            f.accept(s, SessionCommand.Undo::new);
            assertEquals(new PointPair(10, 10, 20, 20), f.state(s).points().get(added));
            f.accept(s, SessionCommand.Undo::new);
            assertTrue(!f.state(s).points().containsKey(added), "undoing the add removed the point");
            f.accept(s, SessionCommand.Redo::new);
            SessionState redone = f.state(s);
            assertEquals(2, redone.points().size(), "redo re-added the point (under a new id)");
            assertTrue(redone.points().containsValue(new PointPair(10, 10, 20, 20)));
            assertInstanceOf(SessionCommand.Refused.class, f.ask(s, SessionCommand.Resume::new), "not paused");
            f.accept(s, r -> new SessionCommand.SetPrompt("a red disc", r));
            SessionState reprompted = f.state(s);
            assertEquals(1, reprompted.epoch(), "a new prompt begins the edit again");
            assertEquals("a red disc", reprompted.spec().prompt());
            assertEquals(2, reprompted.spec().points().size(), "with the current points");
            assertTrue(reprompted.undo().isEmpty(), "the new epoch has no history");
        }
    }
}
