package org.draglora.engine.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicReference;
import org.draglora.engine.edit.DragRequest;
import org.draglora.engine.io.DragSample;
import org.draglora.engine.model.EmbeddedModel;
import org.draglora.engine.model.ModelPath;
import org.draglora.engine.runtime.DeviceKind;
import org.draglora.engine.runtime.EngineRuntime;
import org.draglora.engine.shapes.DragKind;
import org.draglora.engine.shapes.DragTaskGenerator;
import org.draglora.engine.tools.EditMethod;
import org.draglora.engine.tools.EditTool;
import org.junit.jupiter.api.Test;

/**
 * Guards the speed fix of {@link org.draglora.engine.runtime.DeviceThread}: a thread that runs a
 * parallel libtorch op gets a GNU OpenMP worker pool of its own, and two pools halve the speed of
 * every op. libgomp's workers inherit their creator's thread name, so a caller thread with a unique
 * name that loads an engine, opens an edit and steps it must leave no thread of that name behind
 * but itself: every op ran on the device thread.
 */
class EditEngineThreadTest {

    @Test
    void loadingOpeningAndSteppingFromAnotherThreadRunsNoOpOnIt() throws Exception {
        EngineRuntime runtime = EngineRuntime.start(DeviceKind.CPU);
        assertTrue(JniUtils.getNumThreads() >= 2, "libtorch runs one intra-op thread: no pool would show");

        // the probe can see a pool: an op run directly on a named thread leaves a worker of that name
        long direct = onThread("pool-probe-direct", () -> {
            try (NDManager m = runtime.newManager()) {
                NDArray x = m.randomNormal(new Shape(64, 256, 256));
                x.exp().sum().getFloat();
            }
            return threadsNamed("pool-probe-direct");
        });
        assertTrue(direct >= 2, "a direct op made no worker pool (" + direct + " threads of that name): the probe sees nothing");

        long routed = onThread("pool-probe-engine", () -> {
            try (EditEngine engine = EditEngine.load(ModelPath.of(EmbeddedModel.require()), runtime, null)) {
                DragSample sample = DragTaskGenerator.generate(7, 64, 64, DragKind.MOVE_ONE).toSample();
                DragRequest request = EditTool.request(sample,
                        new EditTool.Options(null, EditMethod.DRAGLORA, 7, 2, 2, null), engine.defaults());
                try (EngineEdit edit = engine.open(request, false)) {
                    for (int i = 0; i < 6 && !edit.finished(); i++) {
                        edit.step();
                    }
                }
                engine.liveArrays();
            }
            return threadsNamed("pool-probe-engine");
        });
        assertEquals(1, routed, "threads named after the caller (itself plus libgomp workers): tensor work ran on it");
    }

    private interface Probe {
        long run() throws Exception;
    }

    /** Runs {@code probe} on a fresh thread named {@code name} and returns its answer. */
    private static long onThread(String name, Probe probe) throws Exception {
        AtomicReference<Object> answer = new AtomicReference<>();
        Thread t = new Thread(() -> {
            try {
                answer.set(probe.run());
            } catch (Exception | Error e) {
                answer.set(e);
            }
        }, name);
        t.start();
        t.join(300_000);
        Object a = answer.get();
        if (a instanceof Exception e) {
            throw e;
        }
        if (a instanceof Error e) {
            throw e;
        }
        return (Long) a;
    }

    /** Native threads of this process whose name (at most 15 characters on Linux) starts like {@code name}. */
    private static long threadsNamed(String name) throws IOException {
        String prefix = name.length() > 15 ? name.substring(0, 15) : name;
        long n = 0;
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc/self/task"))) {
            for (Path t : tasks) {
                String comm = Files.readString(t.resolve("comm")).trim();
                if (comm.equals(prefix)) {
                    n++;
                }
            }
        }
        return n;
    }
}
