package org.draglora.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.draglora.http.ImportRules.Rule;
import org.draglora.http.ImportRules.Violation;
import org.junit.jupiter.api.Test;

/**
 * Enforces the "must not" column of ARCHITECTURE.md by scanning the imports of every module's
 * sources (main and test). Paths are relative to this module's base directory, the working
 * directory of Surefire.
 */
class ArchitectureTest {

    private static final List<String> MODULES = List.of("config", "engine", "sessions", "web-ui", "http-api");

    @Test
    void everyModuleFollowsTheImportRules() {
        List<Violation> violations = new ArrayList<>();
        int files = 0;
        for (String module : MODULES) {
            Path dir = Path.of("..", module);
            assertTrue(Files.isRegularFile(dir.resolve("pom.xml")), "module not found: " + dir.toAbsolutePath());
            files += ImportRules.javaFiles(dir).size();
            violations.addAll(ImportRules.checkModule(module, dir, ImportRules.PROJECT_RULES));
        }

        assertTrue(files > 10, "scanned only " + files + " files: wrong base directory?");
        assertEquals("", violations.stream().map(Violation::toString).collect(Collectors.joining("\n")));
    }

    @Test
    void scannerFindsForbiddenImports() {
        String source = "package org.draglora.sessions;\n"
                + "\n"
                + "import java.util.List;\n"
                + "import ai.djl.ndarray.NDArray;\n"
                + "import static ai.djl.engine.Engine.getInstance;\n"
                + "\n"
                + "final class Leaky {}\n";

        List<Violation> violations = ImportRules.check("sessions", "Leaky.java", source, ImportRules.PROJECT_RULES);

        assertEquals(2, violations.size(), violations.toString());
        assertEquals(4, violations.get(0).line());
        assertEquals("ai.djl.ndarray.NDArray", violations.get(0).imported());
        assertEquals("ai.djl.engine.Engine.getInstance", violations.get(1).imported());
    }

    @Test
    void scannerAppliesEachRuleToItsModuleAndPackage() {
        String engineWithPekko = "package org.draglora.engine.jobs;\nimport org.apache.pekko.actor.typed.ActorRef;\nclass A {}\n";
        String unetWithBlock = "package org.draglora.engine.unet;\nimport ai.djl.nn.AbstractBlock;\nclass B {}\n";
        String unetWithArrays = "package org.draglora.engine.unet;\nimport ai.djl.ndarray.NDArray;\nclass C {}\n";
        String nnWithBlock = "package org.draglora.engine.nn;\nimport ai.djl.nn.core.Linear;\nclass D {}\n";
        String configWithDjl = "package org.draglora.config;\nimport ai.djl.Device;\nclass E {}\n";
        String httpWithPekko = "package org.draglora.http;\nimport org.apache.pekko.http.javadsl.Http;\nclass F {}\n";

        List<Rule> rules = ImportRules.PROJECT_RULES;
        assertEquals(1, ImportRules.check("engine", "A.java", engineWithPekko, rules).size());
        assertEquals(1, ImportRules.check("engine", "B.java", unetWithBlock, rules).size());
        assertTrue(ImportRules.check("engine", "C.java", unetWithArrays, rules).isEmpty(), "ai.djl.ndarray is not ai.djl.nn");
        assertTrue(ImportRules.check("engine", "D.java", nnWithBlock, rules).isEmpty(), "leaf modules may use DJL ops");
        assertEquals(1, ImportRules.check("config", "E.java", configWithDjl, rules).size());
        assertTrue(ImportRules.check("http-api", "F.java", httpWithPekko, rules).isEmpty());
    }

    @Test
    void scannerIgnoresCommentsAndTextAfterTheHeader() {
        String source = "/* Licence.\n"
                + "import ai.djl.Device; (inside a comment)\n"
                + "*/\n"
                + "package org.draglora.http;\n"
                + "// import ai.djl.Device;\n"
                + "import java.util.List;\n"
                + "\n"
                + "/** Docs. */\n"
                + "final class Quiet {\n"
                + "    static final String S = \"\"\"\n"
                + "import ai.djl.Device;\n"
                + "\"\"\";\n"
                + "}\n";

        assertEquals(List.of(new ImportRules.Import("java.util.List", 6)), ImportRules.imports(source));
        assertTrue(ImportRules.check("http-api", "Quiet.java", source, ImportRules.PROJECT_RULES).isEmpty());
    }

    @Test
    void prefixMatchingRespectsPackageBoundaries() {
        assertTrue(ImportRules.isUnder("ai.djl.nn.Block", "ai.djl.nn"));
        assertTrue(ImportRules.isUnder("ai.djl.nn", "ai.djl.nn"));
        assertFalse(ImportRules.isUnder("ai.djl.ndarray.NDArray", "ai.djl.nn"));
        assertFalse(ImportRules.isUnder("ai.djlx.Foo", "ai.djl"));
    }
}
