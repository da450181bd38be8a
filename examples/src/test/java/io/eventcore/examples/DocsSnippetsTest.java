package io.eventcore.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every Java block of the README and of every docs page is a region of a compiled source file, marked
 * {@code // snippet:<name>} … {@code // end:<name>}, with its imports: what readers copy compiles as shown. (The
 * tests named beside each snippet run it; the YAML blocks are bound by {@code ReadmeSpringBootTest} and
 * {@code SpringBootDocsTest}.)
 */
class DocsSnippetsTest {
    private static final Path ROOT = Path.of("..");
    private static final Pattern JAVA = Pattern.compile("```java\n(.*?)```", Pattern.DOTALL);
    private static final Pattern REGION = Pattern.compile("// snippet:([\\w-]+)\n(.*?)// end:\\1", Pattern.DOTALL);

    @Test
    void everyJavaBlock_isACompiledSnippet_withItsImports() throws IOException {
        Set<String> compiled = compiledSnippets();
        List<Path> documents = new ArrayList<>(List.of(ROOT.resolve("README.md")));
        try (Stream<Path> docs = Files.list(ROOT.resolve("docs"))) {
            docs.filter(p -> p.toString().endsWith(".md")).sorted().forEach(documents::add);
        }
        List<String> uncompiled = new ArrayList<>();
        int blocks = 0;
        for (Path doc : documents) {
            Matcher m = JAVA.matcher(Files.readString(doc));
            while (m.find()) {
                blocks++;
                String block = m.group(1).strip();
                if (!compiled.contains(block) || !block.startsWith("import ")) {
                    uncompiled.add(doc.getFileName() + ": " + block.lines().findFirst().orElse(""));
                }
            }
        }
        assertThat(blocks).as("Java blocks found").isGreaterThanOrEqualTo(15);
        assertThat(uncompiled).as("Java blocks that are not a compiled snippet starting with its imports").isEmpty();
    }

    private static Set<String> compiledSnippets() throws IOException {
        Set<String> snippets = new HashSet<>();
        try (Stream<Path> files = Files.walk(ROOT)) {
            files.filter(p -> p.toString().endsWith(".java") && p.toString().contains("/src/")
                            && !p.toString().contains("/target/"))
                    .forEach(p -> {
                        try {
                            Matcher m = REGION.matcher(Files.readString(p));
                            while (m.find()) {
                                snippets.add(m.group(2).strip());
                            }
                        } catch (IOException e) {
                            throw new UncheckedIOException(e);
                        }
                    });
        }
        return snippets;
    }
}
