package org.draglora.http.cli;

import java.io.PrintWriter;
import java.util.Locale;

/**
 * A one-line progress display on stderr: {@code [drag    ] ########------  12/80  doo  d=14.2px}.
 * On a terminal the line is redrawn in place; otherwise (logs, pipes) one line per phase change
 * and every {@code every}-th step, so logs stay readable.
 */
public final class ProgressBar {

    private static final int WIDTH = 24;

    private final PrintWriter err;
    private final boolean terminal;
    private final int every;
    private String lastPhase;
    private int lastLength;

    public ProgressBar(PrintWriter err, boolean terminal, int every) {
        this.err = err;
        this.terminal = terminal;
        this.every = Math.max(1, every);
    }

    /** Shows one step: its phase, index, planned total and a short status text. */
    public void update(String phase, int index, int total, String status) {
        int done = Math.min(index + 1, Math.max(total, 1));
        int filled = total <= 0 ? 0 : (int) Math.round(WIDTH * (double) done / total);
        String line = String.format(Locale.ROOT, "[%-9s] %s%s %4d/%-4d %s", phase, "#".repeat(filled),
                "-".repeat(WIDTH - filled), index + 1, total, status);
        boolean newPhase = !phase.equals(lastPhase);
        if (terminal) {
            if (newPhase && lastPhase != null) {
                err.print('\n');
            }
            err.print('\r' + line + " ".repeat(Math.max(0, lastLength - line.length())));
            lastLength = line.length();
        } else if (newPhase || (index + 1) % every == 0 || index + 1 == total) {
            err.println(line);
        }
        lastPhase = phase;
        err.flush();
    }

    /** Ends the display (a final newline on a terminal). */
    public void finish() {
        if (terminal && lastPhase != null) {
            err.println();
            err.flush();
        }
    }
}
