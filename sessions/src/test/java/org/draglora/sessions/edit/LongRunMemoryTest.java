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
 * embedded model. The baseline is taken after the first {@value #WARMUP_DRAG_STEPS} drag steps. Resident memory
 * (native tensors included) and the JVM heap after a collection are measured once the run has
 * warmed up, and again at the end.
 */
class LongRunMemoryTest {

    /** Engine steps the run makes. */
    private static final int STEPS = 1000;

    /**
     * Drag steps before the baseline is taken: the first drag steps grow libtorch's caching
     * allocator and the JIT's code to their working size (about 150 MiB here), once.
     */
    private static final int WARMUP_DRAG_STEPS = 100;

    /** Growth allowed after the warm-up: allocator noise, not a leak (a leak of one latent per step would exceed it). */
    private static final long MAX_RSS_GROWTH_MIB = 96;
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
                total += done.timeline().size();
                drag += done.dragSteps();
                edits++;
                System.out.printf("LongRunMemoryTest: edit %d finished, %d steps so far (%d drag), %.0f s, resident %d MiB%n",
                        edits, total, drag, (System.nanoTime() - t0) / 1e9, ProcessMemory.residentMib());
                if (rssAfterWarmup < 0 && drag >= WARMUP_DRAG_STEPS) {
                    atBaseline = total;
                    rssAfterWarmup = ProcessMemory.residentMib();
                    heapAfterWarmup = heapMib();
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

    private static long heapMib() throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(100);
        }
        Runtime rt = Runtime.getRuntime();
        return (rt.totalMemory() - rt.freeMemory()) / (1024 * 1024);
    }
}
