package org.draglora.sessions.edit;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.draglora.engine.bench.ProcessMemory;
import org.draglora.engine.session.EditEngine;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Memory stays flat over a long run: 1,000 engine steps after a warm-up (RecLoRA, inversion, drag, denoising and
 * decoding, over several edits one after another) through the whole session stack on the
 * embedded model. The baseline is taken after the first {@value #WARMUP_DRAG_STEPS} drag steps.
 *
 * <p>The exact check: once an edit's session has stopped, the native arrays alive on the engine
 * fall back to (at most) the baseline's number after every edit (a leaked latent, LoRA or feature map
 * would raise it).
 * The bounds: the JVM heap after a collection, and resident memory, which also holds what
 * libtorch's and the allocator's caches keep per thread and per shape (a CI machine with more cores
 * than this one grew it by 150 MiB with the array count flat), so it is only a guard against gross
 * growth.
 */
class LongRunMemoryTest {

    /** Engine steps the run makes. */
    private static final int STEPS = 1000;

    /**
     * Drag steps before the baseline is taken: the first drag steps grow libtorch's caching
     * allocator and the JIT's code to their working size (about 150 MiB here), once.
     */
    private static final int WARMUP_DRAG_STEPS = 100;

    /** Growth allowed after the warm-up: allocator and thread caches, not a leak (that is the array count's job). */
    private static final long MAX_RSS_GROWTH_MIB = 320;
    private static final long MAX_HEAP_GROWTH_MIB = 48;

    @TempDir
    Path dir;

    @Test
    void residentAndHeapMemoryStayFlatOverAThousandSteps() throws Exception {
        try (EditEngine engine = SessionFixture.loadEngine(dir.resolve("cache"));
                SessionFixture f = new SessionFixture(dir, engine)) {
            int total = 0;
            int drag = 0;
            long t0 = System.nanoTime();
            long rssAfterWarmup = -1;
            long heapAfterWarmup = -1;
            int edits = 0;
            int atBaseline = -1;
            int arraysAtBaseline = -1;
            while (atBaseline < 0 || total - atBaseline < STEPS) {
                // one new session after another, each a different scene (a restart would begin where the
                // last drag ended, with its handles already at their targets)
                ActorRef<SessionCommand> s = f.spawn("long-run-" + edits);
                TestProbe<SessionState> probe = f.kit.createTestProbe();
                s.tell(new SessionCommand.Subscribe(probe.getRef()));
                SessionSpec spec = f.spec(71 + edits, 60);
                f.accept(s, r -> new SessionCommand.Open(spec, r));
                f.accept(s, SessionCommand.Start::new);
                SessionState done = f.await(probe, st -> st.status() == SessionStatus.FINISHED);
                f.kit.stop(s);
                int arrays = arraysOnceEditClosed(engine, arraysAtBaseline);
                total += done.timeline().size();
                drag += done.dragSteps();
                edits++;
                System.out.printf("LongRunMemoryTest: edit %d finished, %d steps so far (%d drag), %.0f s, resident %d MiB, "
                        + "committed heap %d MiB, %d native arrays%n", edits, total, drag, (System.nanoTime() - t0) / 1e9,
                        ProcessMemory.residentMib(), committedHeapMib(), arrays);
                if (arraysAtBaseline >= 0) {
                    // at most the baseline: arrays of other test classes in this JVM may still be freed late, never added
                    assertTrue(arrays <= arraysAtBaseline, "native arrays left behind by edit " + edits + ": " + arrays
                            + " alive, " + arraysAtBaseline + " at the baseline");
                }
                if (rssAfterWarmup < 0 && drag >= WARMUP_DRAG_STEPS) {
                    atBaseline = total;
                    rssAfterWarmup = ProcessMemory.residentMib();
                    heapAfterWarmup = heapMib();
                    arraysAtBaseline = arrays;
                }
            }
            long rss = ProcessMemory.residentMib();
            long heap = heapMib();
            String report = (total - atBaseline) + " steps after the baseline (" + total + " in all, " + drag
                    + " drag steps) in " + edits + " edits; resident " + rssAfterWarmup + " -> " + rss
                    + " MiB, heap " + heapAfterWarmup + " -> " + heap + " MiB";
            System.out.println("LongRunMemoryTest: " + report);
            assertTrue(total - atBaseline >= STEPS, report);
            assertTrue(rss - rssAfterWarmup <= MAX_RSS_GROWTH_MIB, "resident memory grew: " + report);
            assertTrue(heap - heapAfterWarmup <= MAX_HEAP_GROWTH_MIB, "heap grew: " + report);
        }
    }

    /**
     * The engine's live arrays once the stopped session has closed its edit (it does so on the
     * device thread, just after the stop): waits up to 10 s for the count to fall to {@code expected}
     * or below (to settle while there is no baseline yet), then returns what it sees.
     */
    private static int arraysOnceEditClosed(EditEngine engine, int expected) throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        int arrays = engine.liveArrays();
        int previous = -1;
        while (System.nanoTime() < deadline && (expected >= 0 ? arrays > expected : arrays != previous)) {
            Thread.sleep(100);
            previous = arrays;
            arrays = engine.liveArrays();
        }
        return arrays;
    }

    private static long committedHeapMib() {
        return Runtime.getRuntime().totalMemory() / (1024 * 1024);
    }

    private static long heapMib() throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(100);
        }
        Runtime rt = Runtime.getRuntime();
        return (rt.totalMemory() - rt.freeMemory()) / (1024 * 1024);
    }
}
