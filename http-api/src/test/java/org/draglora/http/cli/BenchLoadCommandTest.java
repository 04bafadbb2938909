package org.draglora.http.cli;

import static org.draglora.http.cli.CliRun.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** {@code bench load} on a short budget: its own server, a few clients, a report with no errors. */
class BenchLoadCommandTest {

    @Test
    void aShortLoadRunReportsLatenciesAndNoErrors() {
        CliRun r = run("bench", "load", "--clients", "4", "--sessions", "2", "--seconds", "6", "--steps", "20",
                "--reclora-steps", "2");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("| command acknowledged (ms) |"), r.out());
        assertTrue(r.out().contains("| seen by the session's other clients (ms) |"), r.out());
        Matcher m = Pattern.compile("Commands sent (\\d+), acknowledged (\\d+); drag steps (\\d+).*errors (\\d+);")
                .matcher(r.out());
        assertTrue(m.find(), r.out());
        assertTrue(Integer.parseInt(m.group(1)) > 0, "the clients sent commands");
        assertTrue(Integer.parseInt(m.group(2)) > 0, "the server acknowledged them");
        assertEquals("0", m.group(4), r.out());
        assertTrue(r.out().contains("Server memory: resident"), r.out());
    }
}
