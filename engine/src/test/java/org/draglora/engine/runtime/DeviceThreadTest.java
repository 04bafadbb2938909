package org.draglora.engine.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class DeviceThreadTest {

    @Test
    void workFromEveryCallerRunsOnOneThreadThatWasPreparedOnce() throws Exception {
        List<Thread> prepared = new CopyOnWriteArrayList<>();
        DeviceThread device = new DeviceThread("test-device", () -> prepared.add(Thread.currentThread()), new ExitGuard());
        List<Thread> ran = new CopyOnWriteArrayList<>();
        Thread[] callers = new Thread[4];
        for (int i = 0; i < callers.length; i++) {
            callers[i] = new Thread(() -> {
                for (int k = 0; k < 5; k++) {
                    ran.add(device.call(Thread::currentThread));
                }
            });
            callers[i].start();
        }
        ran.add(device.call(Thread::currentThread));
        for (Thread c : callers) {
            c.join();
        }
        assertEquals(21, ran.size());
        assertTrue(ran.stream().allMatch(t -> t == ran.get(0)), "one device thread: " + ran);
        assertNotSame(Thread.currentThread(), ran.get(0));
        assertEquals("test-device", ran.get(0).getName());
        assertTrue(ran.get(0).isDaemon(), "the device thread must not keep the JVM alive");
        assertEquals(List.of(ran.get(0)), prepared, "prepared once, on the device thread");
    }

    @Test
    void workSubmittedFromTheDeviceThreadRunsInline() {
        DeviceThread device = new DeviceThread("test-device", () -> {}, new ExitGuard());
        Thread inner = device.call(() -> {
            assertTrue(device.isCurrent());
            return device.call(Thread::currentThread); // would deadlock if it queued behind itself
        });
        assertSame(inner, device.call(Thread::currentThread));
        assertFalse(device.isCurrent());
    }

    @Test
    void exceptionsReachTheCallerAsThrownAndTheThreadGoesOn() {
        DeviceThread device = new DeviceThread("test-device", () -> {}, new ExitGuard());
        IOException checked = assertThrows(IOException.class, () -> device.call(() -> {
            throw new IOException("no such file");
        }));
        assertEquals("no such file", checked.getMessage());
        IllegalStateException unchecked = assertThrows(IllegalStateException.class, () -> device.run(() -> {
            throw new IllegalStateException("bad step");
        }));
        assertEquals("bad step", unchecked.getMessage());
        assertThrows(OutOfMemoryError.class, () -> device.run(() -> {
            throw new OutOfMemoryError("native");
        }));
        assertEquals(42, device.call(() -> 42), "the device thread survives what its work threw");
    }

    @Test
    void anInterruptedCallerStillWaitsForItsWorkAndKeepsTheFlag() throws Exception {
        DeviceThread device = new DeviceThread("test-device", () -> {}, new ExitGuard());
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicBoolean finished = new AtomicBoolean();
        AtomicReference<Boolean> sawFinished = new AtomicReference<>();
        AtomicReference<Boolean> keptFlag = new AtomicReference<>();
        Thread caller = new Thread(() -> {
            device.run(blockingJob(started, release, finished));
            sawFinished.set(finished.get());
            keptFlag.set(Thread.currentThread().isInterrupted());
        });
        caller.start();
        assertTrue(started.await(10, TimeUnit.SECONDS));
        caller.interrupt();
        Thread.sleep(100);
        assertTrue(caller.isAlive(), "the caller returned while its work still ran");
        release.countDown();
        caller.join(10_000);
        assertEquals(Boolean.TRUE, sawFinished.get());
        assertEquals(Boolean.TRUE, keptFlag.get());
    }

    @Test
    void theExitWaitsForTheRunningJobAndRefusesQueuedAndNewOnes() throws Exception {
        ExitGuard guard = new ExitGuard();
        DeviceThread device = new DeviceThread("test-device", () -> {}, guard);
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicBoolean finished = new AtomicBoolean();
        Thread running = new Thread(() -> device.run(blockingJob(started, release, finished)));
        running.start();
        assertTrue(started.await(10, TimeUnit.SECONDS));
        AtomicReference<Throwable> queuedFailure = new AtomicReference<>();
        AtomicBoolean queuedRan = new AtomicBoolean();
        Thread queued = new Thread(() -> {
            try {
                device.run(() -> queuedRan.set(true));
            } catch (Throwable t) {
                queuedFailure.set(t);
            }
        });
        queued.start();
        Thread.sleep(100); // the second job waits in the queue behind the first
        AtomicBoolean exitDone = new AtomicBoolean();
        Thread exit = new Thread(() -> exitDone.set(guard.beginExit(java.time.Duration.ofSeconds(10))));
        exit.start();
        Thread.sleep(200);
        assertTrue(exit.isAlive(), "the exit did not wait for the running job");
        release.countDown();
        exit.join(10_000);
        assertTrue(exitDone.get(), "the exit reported work still running");
        assertTrue(finished.get());
        queued.join(10_000);
        assertFalse(queuedRan.get(), "a job queued before the exit started after it");
        assertTrue(queuedFailure.get() instanceof IllegalStateException, String.valueOf(queuedFailure.get()));
        IllegalStateException late = assertThrows(IllegalStateException.class, () -> device.call(() -> 1));
        assertTrue(late.getMessage().contains("exiting"), late.getMessage());
    }

    /** A job that says it started, waits for {@code release}, then marks itself finished. */
    private static Runnable blockingJob(CountDownLatch started, CountDownLatch release, AtomicBoolean finished) {
        return () -> {
            started.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
            finished.set(true);
        };
    }
}
