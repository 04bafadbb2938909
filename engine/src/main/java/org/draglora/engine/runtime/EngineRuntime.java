package org.draglora.engine.runtime;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.engine.EngineException;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.pytorch.jni.JniUtils;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts DJL's PyTorch engine once per JVM on the chosen device, and refuses, with an explanation,
 * every situation in which DJL would silently try to download libtorch.
 *
 * <p>On the CPU, libtorch must come from the {@code ai.djl.pytorch:pytorch-native-cpu} jar on the
 * class path (Maven Central) or from a local copy named by {@code PYTORCH_LIBRARY_PATH}; without
 * either, DJL would download it at first start (STACK.md §1), which this project never does
 * implicitly. On a GPU, DJL's usual CUDA mechanism applies (a download on first start, or a local
 * libtorch through {@code PYTORCH_LIBRARY_PATH}, {@code PYTORCH_VERSION}, {@code PYTORCH_FLAVOR}).
 *
 * <p>Grad mode is thread-local in libtorch: {@link #prepareThread()} turns it off on the calling
 * thread; every thread that touches tensors must call it. Where several threads want tensor work
 * (the server), they hand it to the one {@link #deviceThread()}: see {@link DeviceThread} for why a
 * second thread running libtorch ops halves their speed.
 */
public final class EngineRuntime {

    private static final Logger LOG = LoggerFactory.getLogger(EngineRuntime.class);

    /** Class-path resource that marks a bundled libtorch (inside pytorch-native-cpu). */
    static final String BUNDLED_NATIVE_MARKER = "native/lib/pytorch.properties";

    private static EngineRuntime instance;

    private final DeviceKind kind;
    private final Engine engine;
    private final Device device;
    private final DeviceThread deviceThread;

    private EngineRuntime(DeviceKind kind, Engine engine, Device device) {
        this.kind = kind;
        this.engine = engine;
        this.device = device;
        this.deviceThread = new DeviceThread("draglora-device", this::prepareThread, ExitGuard.process());
    }

    /**
     * Starts the engine on {@code kind}, or returns the running one. Asking for another device than
     * the one already started is an error (libtorch is loaded once per process).
     */
    public static synchronized EngineRuntime start(DeviceKind kind) {
        return start(kind, 0);
    }

    /**
     * Starts the engine on {@code kind} with {@code threads} intra-op threads (0 keeps libtorch's
     * default, one per core), or returns the running one.
     */
    public static synchronized EngineRuntime start(DeviceKind kind, int threads) {
        Objects.requireNonNull(kind, "kind");
        if (threads < 0) {
            throw new IllegalArgumentException("threads must be >= 0, got " + threads);
        }
        if (instance != null) {
            if (instance.kind != kind) {
                throw new IllegalStateException("the engine already runs on " + instance.kind
                        + "; a process can use only one device kind");
            }
            return instance;
        }
        String localLibrary = System.getenv("PYTORCH_LIBRARY_PATH");
        boolean bundled = EngineRuntime.class.getClassLoader().getResource(BUNDLED_NATIVE_MARKER) != null;
        if (kind == DeviceKind.CPU && !bundled && (localLibrary == null || localLibrary.isBlank())) {
            throw new IllegalStateException(missingNativeMessage());
        }
        if (kind == DeviceKind.GPU && bundled && (localLibrary == null || localLibrary.isBlank())) {
            throw new IllegalStateException("--device gpu: the CPU-only libtorch jar (pytorch-native-cpu) is on the "
                    + "class path and DJL would use it. Run through the draglora launcher, which leaves it out for "
                    + "--device gpu, or set PYTORCH_LIBRARY_PATH, PYTORCH_VERSION=2.7.1 and PYTORCH_FLAVOR=cu128 "
                    + "to a local CUDA libtorch 2.7.1.");
        }
        NativeStderrFilter.install();
        Engine engine;
        try {
            engine = Engine.getEngine("PyTorch");
        } catch (EngineException | IllegalArgumentException e) {
            throw new IllegalStateException(startFailureMessage(kind, e), e);
        }
        Device device;
        if (kind == DeviceKind.GPU) {
            if (engine.getGpuCount() == 0) {
                throw new IllegalStateException("--device gpu: libtorch started but sees no CUDA GPU "
                        + "(driver missing, or a CPU libtorch was loaded)");
            }
            device = Device.gpu();
        } else {
            device = Device.cpu();
        }
        if (threads > 0) {
            JniUtils.setNumThreads(threads);
        }
        instance = new EngineRuntime(kind, engine, device);
        instance.prepareThread();
        LOG.info("PyTorch {} on {} ({} intra-op threads)", engine.getVersion(), device, JniUtils.getNumThreads());
        return instance;
    }

    /** Starts on the CPU (the default device). */
    public static EngineRuntime cpu() {
        return start(DeviceKind.CPU);
    }

    static String missingNativeMessage() {
        return "draglora runs offline, but libtorch is not available: the jar "
                + "ai.djl.pytorch:pytorch-native-cpu (classifier linux-x86_64) is not on the class path and "
                + "PYTORCH_LIBRARY_PATH is not set, so DJL would try to download libtorch from the internet. "
                + "Run through the draglora launcher (it builds the class path), or set PYTORCH_LIBRARY_PATH to a "
                + "local libtorch 2.7.1.";
    }

    private static String startFailureMessage(DeviceKind kind, Exception e) {
        String cause = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        Throwable root = e;
        while (root.getCause() != null) {
            root = root.getCause();
        }
        boolean download = root instanceof java.net.UnknownHostException || root instanceof java.io.IOException
                || cause.contains("download") || cause.contains("index file");
        if (download && kind == DeviceKind.GPU) {
            return "--device gpu: DJL tried to download a CUDA libtorch and failed (" + cause + "). Without "
                    + "internet access, set PYTORCH_LIBRARY_PATH=<libtorch>/lib, PYTORCH_VERSION=2.7.1 and "
                    + "PYTORCH_FLAVOR=cu128 to a local libtorch 2.7.1+cu128.";
        }
        if (download) {
            return "DJL tried to download libtorch, which draglora never does (it runs offline from the "
                    + "pytorch-native-cpu jar): " + cause;
        }
        return "the PyTorch engine failed to start: " + cause;
    }

    /** Turns autograd recording off on the calling thread (it is thread-local in libtorch). */
    public void prepareThread() {
        JniUtils.setGradMode(false);
    }

    /**
     * The process's one thread for tensor work shared between threads (started on first use).
     * {@link org.draglora.engine.session.EditEngine} runs everything there.
     */
    public DeviceThread deviceThread() {
        return deviceThread;
    }

    /** The device kind. */
    public DeviceKind kind() {
        return kind;
    }

    /** The DJL device tensors are created on. */
    public Device device() {
        return device;
    }

    /** The DJL engine. */
    public Engine engine() {
        return engine;
    }

    /**
     * The element type for frozen model weights on this device: float16 on a GPU where the
     * component is safe in half precision, float32 on the CPU (fp16 compute there is 1000x slower:
     * STACK.md §3).
     */
    public DataType weightType(boolean halfPrecisionSafe) {
        return kind == DeviceKind.GPU && halfPrecisionSafe ? DataType.FLOAT16 : DataType.FLOAT32;
    }

    /** A new root-level manager on this device; the caller closes it. */
    public NDManager newManager() {
        return NDManager.newBaseManager(device, "PyTorch");
    }

    /**
     * How many native arrays are alive in all managers of this engine (the root managers made by
     * {@link #newManager()} and everything below them): a leak check for long runs, exact where
     * resident memory is only a noisy bound (allocator caches grow per thread and per shape).
     */
    public int liveArrays() {
        try (NDManager probe = newManager()) {
            return probe.getParentManager().getManagedArrays().size();
        }
    }

    /** Seeds libtorch's global generator (used by random weight initialisation). */
    public void seed(long seed) {
        engine.setRandomSeed((int) seed);
    }
}
