package org.draglora.http;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The dependency rules of ARCHITECTURE.md ("must not" column) as import checks, and the scanner
 * that enforces them on Java source text.
 *
 * <p>Only the file header is read: the {@code package} line and the {@code import} lines before the
 * first type declaration. Text in string literals, text blocks and comments further down cannot
 * match.
 */
final class ImportRules {

    /**
     * One rule: Java files of {@code module} whose package starts with {@code packagePrefix}
     * (every package when empty) must not import anything under {@code forbidden}.
     */
    record Rule(String module, String packagePrefix, List<String> forbidden, String why) {

        Rule {
            forbidden = List.copyOf(forbidden);
        }

        boolean appliesTo(String module, String pkg) {
            return this.module.equals(module) && isUnder(pkg, packagePrefix);
        }
    }

    /** A broken rule: where, what, and which rule. */
    record Violation(String file, int line, String imported, Rule rule) {
        @Override
        public String toString() {
            return file + ":" + line + ": imports " + imported + " (" + rule.module()
                    + (rule.packagePrefix().isEmpty() ? "" : " " + rule.packagePrefix()) + ": " + rule.why() + ")";
        }
    }

    /** The rules of the project. */
    static final List<Rule> PROJECT_RULES = List.of(
            new Rule("config", "", List.of("org.apache.pekko", "ai.djl"), "config reads HOCON only"),
            new Rule("engine", "", List.of("org.apache.pekko"), "the engine must not use Pekko"),
            new Rule("sessions", "", List.of("ai.djl"), "tensors are opaque engine handles here"),
            new Rule("http-api", "", List.of("ai.djl"), "tensors are opaque engine handles here"),
            new Rule("engine", "org.draglora.engine.unet", List.of("ai.djl.nn"),
                    "UNet modules use the project's leaf modules, never DJL Block classes"));

    private static final Pattern PACKAGE = Pattern.compile("^package\\s+([\\w.]+)\\s*;");
    private static final Pattern IMPORT = Pattern.compile("^import\\s+(?:static\\s+)?([\\w.]+(?:\\.\\*)?)\\s*;");

    private ImportRules() {}

    /** The imports of one source text, with 1-based line numbers; stops at the first declaration. */
    static List<Import> imports(String source) {
        List<Import> result = new ArrayList<>();
        boolean inComment = false;
        List<String> lines = source.lines().toList();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (inComment) {
                int end = line.indexOf("*/");
                if (end < 0) {
                    continue;
                }
                inComment = false;
                line = line.substring(end + 2).strip();
            }
            if (line.startsWith("/*")) {
                inComment = !line.contains("*/");
                continue;
            }
            if (line.isEmpty() || line.startsWith("//") || PACKAGE.matcher(line).find()) {
                continue;
            }
            Matcher m = IMPORT.matcher(line);
            if (!m.find()) {
                break; // first declaration (or annotation): the header is over
            }
            result.add(new Import(m.group(1), i + 1));
        }
        return result;
    }

    /** One import statement. */
    record Import(String name, int line) {}

    /** The package declared by {@code source}, or "" for the default package. */
    static String packageOf(String source) {
        for (String line : source.lines().map(String::strip).toList()) {
            Matcher m = PACKAGE.matcher(line);
            if (m.find()) {
                return m.group(1);
            }
        }
        return "";
    }

    /** Checks one source text of {@code module} against {@code rules}. */
    static List<Violation> check(String module, String fileName, String source, List<Rule> rules) {
        String pkg = packageOf(source);
        List<Violation> violations = new ArrayList<>();
        for (Rule rule : rules) {
            if (!rule.appliesTo(module, pkg)) {
                continue;
            }
            for (Import imp : imports(source)) {
                for (String forbidden : rule.forbidden()) {
                    if (isUnder(imp.name(), forbidden)) {
                        violations.add(new Violation(fileName, imp.line(), imp.name(), rule));
                    }
                }
            }
        }
        return violations;
    }

    /** Checks every {@code .java} file under {@code moduleDir/src}. */
    static List<Violation> checkModule(String module, Path moduleDir, List<Rule> rules) {
        List<Violation> violations = new ArrayList<>();
        for (Path file : javaFiles(moduleDir)) {
            try {
                String source = Files.readString(file, StandardCharsets.UTF_8);
                violations.addAll(check(module, file.toString(), source, rules));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return violations;
    }

    /** The Java files under {@code moduleDir/src}; none when the module has no sources yet. */
    static List<Path> javaFiles(Path moduleDir) {
        Path src = moduleDir.resolve("src");
        if (!Files.isDirectory(src)) {
            return List.of();
        }
        try (Stream<Path> files = Files.walk(src)) {
            return files.filter(p -> p.toString().endsWith(".java")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** True when {@code name} is {@code prefix} or inside it ({@code ai.djl.nn} is not under {@code ai.djl.n}). */
    static boolean isUnder(String name, String prefix) {
        return prefix.isEmpty() || name.equals(prefix) || name.startsWith(prefix + ".");
    }
}
