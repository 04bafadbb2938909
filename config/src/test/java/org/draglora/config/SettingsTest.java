package org.draglora.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Defaults, overrides and rejections of the settings records. */
class SettingsTest {

    @Test
    void defaultsComeFromReferenceConf() {
        Settings s = Settings.load(ConfigFactory.empty());

        assertEquals(new EngineSettings("cpu", 0, ""), s.engine());
        assertTrue(s.engine().usesEmbeddedModel());
        assertEquals(new ServerSettings("127.0.0.1", 8080, Path.of("./data")), s.server());
        assertEquals(new SessionSettings(java.time.Duration.ofMinutes(5), 256, true, true), s.sessions());
    }

    @Test
    void sessionSettingsAreValidatedWithTheirKeys() {
        Settings s = Settings.load(ConfigFactory.parseString(
                "draglora.sessions { idle-timeout = 30s, queue-capacity = 8, previews = off }"));
        assertEquals(new SessionSettings(java.time.Duration.ofSeconds(30), 8, false, true), s.sessions());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Settings.load(ConfigFactory.parseString("draglora.sessions.queue-capacity = 0")));
        assertTrue(e.getMessage().contains("draglora.sessions.queue-capacity"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> Settings.load(ConfigFactory.parseString("draglora.sessions.idle-timeout = 0s")));
        assertTrue(e.getMessage().contains("draglora.sessions.idle-timeout"), e.getMessage());
    }

    @Test
    void loadWithoutArgumentsSeesTheDefaults() {
        Settings s = Settings.load();

        assertEquals(8080, s.server().port());
        assertEquals("127.0.0.1", s.server().host());
    }

    @Test
    void overridesWinOverDefaults() {
        Settings s = Settings.load(ConfigFactory.parseString(
                        "draglora.engine { device = gpu, threads = 3, model = /models/sd15 }\n"
                                + "draglora.server { host = \"0.0.0.0\", port = 9001, data-dir = /var/draglora }")
                .withFallback(ConfigFactory.load()));

        assertEquals(new EngineSettings("gpu", 3, "/models/sd15"), s.engine());
        assertEquals(new ServerSettings("0.0.0.0", 9001, Path.of("/var/draglora")), s.server());
    }

    @Test
    void partialOverrideKeepsOtherDefaults() {
        Settings s = Settings.load(ConfigFactory.parseString("draglora.server.port = 0"));

        assertEquals(0, s.server().port());
        assertEquals("127.0.0.1", s.server().host());
        assertEquals("cpu", s.engine().device());
    }

    @Test
    void rejectsPortOutOfRange() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Settings.load(ConfigFactory.parseString("draglora.server.port = 70000")));
        assertTrue(e.getMessage().contains("draglora.server.port") && e.getMessage().contains("70000"),
                e.getMessage());

        assertThrows(IllegalArgumentException.class, () -> new ServerSettings("h", -1, Path.of("d")));
    }

    @Test
    void rejectsUnknownDevice() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Settings.load(ConfigFactory.parseString("draglora.engine.device = tpu")));
        assertTrue(e.getMessage().contains("'tpu'"), e.getMessage());
        assertTrue(e.getMessage().contains("draglora.engine.device"), e.getMessage());
    }

    @Test
    void rejectsNegativeThreads() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Settings.load(ConfigFactory.parseString("draglora.engine.threads = -2")));
        assertTrue(e.getMessage().contains("-2"), e.getMessage());
    }

    @Test
    void rejectsBlankHost() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Settings.load(ConfigFactory.parseString("draglora.server.host = \" \"")));
        assertTrue(e.getMessage().contains("draglora.server.host"), e.getMessage());
    }

    @Test
    void rejectsWrongTypeNamingTheKey() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Settings.load(ConfigFactory.parseString("draglora.server.port = eighty")));
        assertTrue(e.getMessage().contains("draglora.server.port"), e.getMessage());
    }

    @Test
    void withersValidateToo() {
        Settings s = Settings.load(ConfigFactory.empty());

        assertEquals(9, s.withServer(s.server().withPort(9)).server().port());
        assertEquals("gpu", s.withEngine(s.engine().withDevice("gpu")).engine().device());
        assertThrows(IllegalArgumentException.class, () -> s.engine().withDevice("GPU"));
        assertThrows(IllegalArgumentException.class, () -> s.server().withPort(65536));
    }

    @Test
    void fileIsLayeredOverReferenceConf(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("draglora.conf");
        Files.writeString(file, "draglora.server { port = 9100 }\n");

        Settings s = Settings.load(Settings.loadConfig(file));

        assertEquals(9100, s.server().port());
        assertEquals("127.0.0.1", s.server().host());
    }

    @Test
    void systemPropertiesWinOverTheFile(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("draglora.conf");
        Files.writeString(file, "draglora.server.port = 9100\n");
        System.setProperty("draglora.server.port", "9200");
        ConfigFactory.invalidateCaches();
        try {
            assertEquals(9200, Settings.load(Settings.loadConfig(file)).server().port());
        } finally {
            System.clearProperty("draglora.server.port");
            ConfigFactory.invalidateCaches();
        }
    }

    @Test
    void rejectsMissingOrBrokenFile(@TempDir Path dir) throws IOException {
        IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
                () -> Settings.loadConfig(dir.resolve("nope.conf")));
        assertTrue(missing.getMessage().contains("nope.conf"), missing.getMessage());

        Path broken = dir.resolve("broken.conf");
        Files.writeString(broken, "draglora { server { port = \n");
        assertThrows(IllegalArgumentException.class, () -> Settings.loadConfig(broken));
    }
}
