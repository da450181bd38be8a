package io.eventcore.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The README stays the short front door, and every relative link of it and of the docs pages resolves. */
class DocsLinksTest {
    private static final Path ROOT = Path.of("..");
    private static final Pattern LINK = Pattern.compile("\\]\\(([^)\\s]+)\\)");

    @Test
    void readme_isAtMost300Lines_andLinksAtLeastSixDocsPages() throws IOException {
        List<String> readme = Files.readAllLines(ROOT.resolve("README.md"));
        assertThat(readme).hasSizeLessThanOrEqualTo(300);
        Set<String> pages = new LinkedHashSet<>();
        Matcher m = LINK.matcher(String.join("\n", readme));
        while (m.find()) {
            if (m.group(1).startsWith("docs/")) {
                pages.add(m.group(1).replaceFirst("#.*", ""));
            }
        }
        assertThat(pages).hasSizeGreaterThanOrEqualTo(6);
    }

    @Test
    void everyRelativeLink_resolvesToAFileAndHeading() throws IOException {
        List<Path> documents = new ArrayList<>(List.of(ROOT.resolve("README.md")));
        try (Stream<Path> docs = Files.list(ROOT.resolve("docs"))) {
            docs.filter(p -> p.toString().endsWith(".md")).sorted().forEach(documents::add);
        }
        List<String> broken = new ArrayList<>();
        for (Path doc : documents) {
            Matcher m = LINK.matcher(withoutCode(Files.readString(doc)));
            while (m.find()) {
                String link = m.group(1);
                if (link.matches("^[a-z]+:.*")) {
                    continue; // http:, https:, mailto:
                }
                String file = link.replaceFirst("#.*", "");
                Path target = file.isEmpty() ? doc : doc.getParent().resolve(file).normalize();
                if (!Files.exists(target)) {
                    broken.add(doc.getFileName() + ": " + link + " (no such file)");
                } else if (link.contains("#") && target.toString().endsWith(".md")
                        && !anchors(target).contains(link.substring(link.indexOf('#') + 1))) {
                    broken.add(doc.getFileName() + ": " + link + " (no such heading)");
                }
            }
        }
        assertThat(broken).isEmpty();
    }

    private static String withoutCode(String markdown) {
        return markdown.replaceAll("(?s)```.*?```", "");
    }

    private static Set<String> anchors(Path doc) throws IOException {
        Set<String> anchors = new LinkedHashSet<>();
        for (String line : withoutCode(Files.readString(doc)).split("\n")) {
            if (line.startsWith("#")) {
                String heading = line.replaceFirst("^#+\\s*", "").toLowerCase(Locale.ROOT);
                anchors.add(heading.replaceAll("[^\\p{L}\\p{N}\\- _]", "").replace(' ', '-'));
            }
        }
        return anchors;
    }
}
