package org.draglora.engine.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The engine never downloads libtorch on the CPU: without the pytorch-native-cpu jar (and without
 * PYTORCH_LIBRARY_PATH) it refuses to start and says why, before DJL could try a download. Runs
 * a child JVM with the test class path minus that jar.
 */
class EngineRuntimeOfflineTest {

    private static String testClassPath() {
        String cp = System.getProperty("surefire.test.class.path");
        return cp != null ? cp : System.getProperty("java.class.path");
    }

    /** {@code unshare -n}: a new network namespace with no interface at all (needs root). */
    private static boolean canCutNetwork() {
        try {
            return new ProcessBuilder("unshare", "-n", "true").start().waitFor() == 0;
        } catch (Exception e) {
            return false;
        }
    }

    private static ProcessResult runProbe(boolean withNativeJar, boolean noNetwork) throws Exception {
        List<String> entries = Arrays.stream(testClassPath().split(File.pathSeparator))
                .filter(e -> withNativeJar || !Path.of(e).getFileName().toString().startsWith("pytorch-native-cpu"))
                .collect(Collectors.toList());
        List<String> command = new java.util.ArrayList<>();
        if (noNetwork) {
            command.addAll(List.of("unshare", "-n"));
        }
        command.addAll(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", String.join(File.pathSeparator, entries), OfflineProbe.class.getName()));
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().remove("PYTORCH_LIBRARY_PATH");
        pb.redirectErrorStream(true);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "child JVM did not finish");
        return new ProcessResult(p.exitValue(), out);
    }

    private record ProcessResult(int code, String out) {}

    @Test
    void withoutTheNativeJarTheEngineRefusesToStartAndExplainsWhy() throws Exception {
        assertTrue(testClassPath().contains("pytorch-native-cpu"), "the test class path must hold the native jar");
        ProcessResult r = runProbe(false, false);
        assertEquals(3, r.code(), r.out());
        assertTrue(r.out().contains("refused: draglora runs offline"), r.out());
        assertTrue(r.out().contains("pytorch-native-cpu") && r.out().contains("download"), r.out());
    }

    @Test
    void withTheNativeJarItStartsWithoutNetwork() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(canCutNetwork(), "unshare -n needs root");
        ProcessResult r = runProbe(true, true);
        assertEquals(0, r.code(), r.out());
        assertTrue(r.out().contains("started"), r.out());
    }
}
