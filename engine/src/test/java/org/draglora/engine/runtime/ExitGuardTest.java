package org.draglora.engine.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class ExitGuardTest {

    @Test
    void theExitWaitsForARunningSpan() throws Exception {
        ExitGuard guard = new ExitGuard();
        CountDownLatch inside = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Thread worker = new Thread(() -> {
            try (ExitGuard.Span span = guard.enter()) {
                inside.countDown();
                release.await();
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        worker.start();
        assertTrue(inside.await(10, TimeUnit.SECONDS));
        AtomicBoolean clean = new AtomicBoolean();
        Thread exit = new Thread(() -> clean.set(guard.beginExit(Duration.ofSeconds(10))));
        exit.start();
        Thread.sleep(200);
        assertTrue(exit.isAlive(), "the exit went ahead while a span was open");
        assertTrue(guard.exiting());
        release.countDown();
        exit.join(10_000);
        assertFalse(exit.isAlive());
        assertTrue(clean.get());
    }

    @Test
    void theExitGivesUpAfterItsWaitAndSaysSo() throws Exception {
        ExitGuard guard = new ExitGuard();
        ExitGuard.Span span = guard.enter();
        long t0 = System.nanoTime();
        assertFalse(guard.beginExit(Duration.ofMillis(300)));
        long waitedMs = (System.nanoTime() - t0) / 1_000_000;
        assertTrue(waitedMs >= 250 && waitedMs < 5_000, "waited " + waitedMs + " ms");
        span.close();
        assertTrue(guard.beginExit(Duration.ofMillis(300)), "a closed span still counted");
    }

    @Test
    void afterTheExitBeganNewSpansAreRefusedOrParkedButNestedOnesPass() throws Exception {
        ExitGuard guard = new ExitGuard();
        ExitGuard.Span outer = guard.enter();
        Thread exit = new Thread(() -> guard.beginExit(Duration.ofSeconds(10)));
        exit.start();
        while (!guard.exiting()) {
            Thread.sleep(5);
        }
        // the thread that holds a span finishes its work, nested spans included
        ExitGuard.Span nested = guard.enter();
        assertNotNull(nested);
        nested.close();
        assertTrue(exit.isAlive(), "the exit ended while the outer span was open");
        outer.close();
        exit.join(10_000);
        assertFalse(exit.isAlive());

        assertNull(guard.tryEnter(), "a new span was granted during the exit");
        AtomicBoolean returned = new AtomicBoolean();
        Thread late = new Thread(() -> {
            guard.enter();
            returned.set(true);
        });
        late.setDaemon(true); // parked for good, as it would be until the process ends
        late.start();
        Thread.sleep(200);
        assertTrue(late.isAlive());
        late.interrupt(); // an interrupt does not let it through either
        Thread.sleep(100);
        assertEquals(Thread.State.WAITING, late.getState());
        assertFalse(returned.get());
    }
}
