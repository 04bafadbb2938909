package org.draglora.engine.runtime;

import com.sun.jna.Library;
import com.sun.jna.Native;
import java.io.BufferedReader;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Drops libtorch's harmless "Could not initialize NNPACK" warning, which it prints to the native
 * stderr on every small conv on CPUs without NNPACK support (STACK.md §2), and its one-time
 * deprecation notice about AutoNonVariableTypeMode, which DJL's grad-mode switch triggers. File descriptor 2 is
 * redirected through a pipe; a daemon thread copies every other line to the real stderr. Java's
 * {@code System.err} is pointed at the real stderr directly. Linux only; elsewhere (or on failure) it does nothing.
 */
final class NativeStderrFilter {

    private static boolean installed;

    private interface LibC extends Library {
        int dup(int fd);

        int dup2(int from, int to);

        int pipe(int[] fds);

        int close(int fd);
    }

    private NativeStderrFilter() {}

    static synchronized void install() {
        if (installed || !System.getProperty("os.name", "").toLowerCase().contains("linux")
                || Boolean.getBoolean("draglora.keepNativeStderr")) {
            return;
        }
        installed = true;
        try {
            LibC libc = Native.load("c", LibC.class);
            int saved = libc.dup(2);
            int[] fds = new int[2];
            if (saved < 0 || libc.pipe(fds) != 0) {
                return;
            }
            // Java's own stderr bypasses the pipe, so nothing it prints just before exit is lost
            System.setErr(new java.io.PrintStream(
                    new FileOutputStream("/proc/self/fd/" + saved), true, StandardCharsets.UTF_8));
            libc.dup2(fds[1], 2);
            libc.close(fds[1]);
            Thread pump = new Thread(() -> pump(fds[0], saved), "native-stderr-filter");
            pump.setDaemon(true);
            pump.start();
            // At exit, point fd 2 back at the real stderr (closing the pipe's only writer) and let
            // the pump drain, so nothing written to fd 2 just before exit is lost.
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                libc.dup2(saved, 2);
                try {
                    pump.join(2000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "native-stderr-filter-drain"));
        } catch (UnsatisfiedLinkError | RuntimeException | IOException e) {
            // keep the unfiltered stderr: the warning is noise, not an error
        }
    }

    private static void pump(int readFd, int stderrFd) {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(
                        new FileInputStream("/proc/self/fd/" + readFd), StandardCharsets.UTF_8));
                OutputStream out = new FileOutputStream("/proc/self/fd/" + stderrFd)) {
            String line;
            while ((line = in.readLine()) != null) {
                if (!line.contains("NNPACK") && !line.contains("AutoNonVariableTypeMode is deprecated")) {
                    out.write((line + "\n").getBytes(StandardCharsets.UTF_8));
                    out.flush();
                }
            }
        } catch (IOException e) {
            // the process is ending
        }
    }
}
