package io.eventcore.examples.architecture;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * No god classes: every main-code source file of the library modules stays within 400 lines and
 * every method or constructor within 60 lines (counted from its opening brace line to its closing
 * brace line).
 */
class CodeSizeTest {
    static final int MAX_FILE_LINES = 400;
    static final int MAX_METHOD_LINES = 60;
    static final List<String> MODULES = List.of("eventcore-api", "eventcore-kafka", "eventcore-outbox-jdbc",
            "eventcore-test", "eventcore-avro", "eventcore-protobuf", "eventcore-spring-boot-starter");

    /** A method or constructor header: modifiers or a type, a name, a parameter list, then a brace. */
    private static final Pattern METHOD_HEADER = Pattern.compile(
            "^\\s*(?:@\\w+(?:\\([^)]*\\))?\\s+)*(?:(?:public|protected|private|static|final|synchronized|abstract|default|native)\\s+)*"
                    + "(?:<[^>]+>\\s+)?[\\w.<>\\[\\]?, ]+?\\s+\\w+\\s*\\(");
    private static final Pattern NOT_A_METHOD = Pattern.compile(
            "^\\s*(?:if|for|while|switch|catch|try|else|do|return|new|throw|synchronized\\s*\\()\\b.*|(?:.*\\s)?(?:class|interface|record|enum)\\s.*|.*=.*");

    @Test
    void mainSources_stayWithinTheSizeLimits() throws IOException {
        List<String> offenders = new ArrayList<>();
        for (Path file : mainSources()) {
            List<String> lines = Files.readAllLines(file);
            if (lines.size() > MAX_FILE_LINES) {
                offenders.add(file + ": " + lines.size() + " lines");
            }
            for (String method : longMethods(lines)) {
                offenders.add(file + ": " + method);
            }
        }
        assertThat(offenders).as("classes over " + MAX_FILE_LINES + " lines or methods over " + MAX_METHOD_LINES)
                .isEmpty();
    }

    @Test
    void methodCounter_findsALongMethod_andIgnoresShortOnes() {
        List<String> source = new ArrayList<>();
        source.add("final class X {");
        source.add("    void shortOne() {");
        source.add("        call();");
        source.add("    }");
        source.add("    public static <T> List<T> longOne(String a,");
        source.add("            int b) {");
        for (int i = 0; i < 70; i++) {
            source.add("        if (a != null) { call(\"}\"); } // }");
        }
        source.add("    }");
        source.add("}");
        assertThat(longMethods(source)).singleElement().asString().contains("longOne").contains("72 lines");
    }

    static List<Path> mainSources() throws IOException {
        Path root = Path.of("..").toAbsolutePath().normalize();
        List<Path> files = new ArrayList<>();
        for (String module : MODULES) {
            Path sources = root.resolve(module).resolve("src/main/java");
            assertThat(sources).isDirectory();
            try (Stream<Path> walk = Files.walk(sources)) {
                walk.filter(p -> p.toString().endsWith(".java")).forEach(files::add);
            }
        }
        return files;
    }

    /** Methods longer than the limit, found by brace matching on code stripped of strings and comments. */
    static List<String> longMethods(List<String> lines) {
        List<String> found = new ArrayList<>();
        List<String> code = stripped(lines);
        for (int i = 0; i < code.size(); i++) {
            String line = code.get(i);
            if (!METHOD_HEADER.matcher(line).find() || NOT_A_METHOD.matcher(line).matches()) {
                continue;
            }
            int open = i;
            while (open < code.size() && !code.get(open).contains("{")) {
                if (code.get(open).contains(";")) {
                    open = -1; // abstract or interface method
                    break;
                }
                open++;
            }
            if (open < 0 || open >= code.size()) {
                continue;
            }
            int depth = 0;
            for (int j = open; j < code.size(); j++) {
                for (char c : code.get(j).toCharArray()) {
                    depth += c == '{' ? 1 : c == '}' ? -1 : 0;
                }
                if (depth <= 0) {
                    int length = j - open + 1;
                    if (length > MAX_METHOD_LINES) {
                        found.add(line.trim() + " ... (" + length + " lines)");
                    }
                    i = j;
                    break;
                }
            }
        }
        return found;
    }

    private static List<String> stripped(List<String> lines) {
        List<String> out = new ArrayList<>(lines.size());
        boolean inComment = false;
        for (String line : lines) {
            StringBuilder b = new StringBuilder(line.length());
            for (int k = 0; k < line.length(); k++) {
                char c = line.charAt(k);
                char next = k + 1 < line.length() ? line.charAt(k + 1) : 0;
                if (inComment) {
                    if (c == '*' && next == '/') {
                        inComment = false;
                        k++;
                    }
                } else if (c == '/' && next == '*') {
                    inComment = true;
                    k++;
                } else if (c == '/' && next == '/') {
                    break;
                } else if (c == '"' || c == '\'') {
                    int end = k + 1;
                    while (end < line.length() && line.charAt(end) != c) {
                        end += line.charAt(end) == '\\' ? 2 : 1;
                    }
                    b.append(c).append(c);
                    k = end;
                } else {
                    b.append(c);
                }
            }
            out.add(b.toString());
        }
        return out;
    }
}
