package io.eventcore.examples.spring;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Keeps the README's Spring Boot quickstart honest: its handler is the example's compiled class (which
 * {@link SpringOrderServiceTest} runs), its YAML the example's {@code application.yml}, and its command a
 * profile of this module.
 */
class ReadmeSpringBootTest {
    private static final Path SOURCES = Path.of("src", "main", "java", "io", "eventcore", "examples", "spring");
    private static String section;

    @BeforeAll
    static void readSection() throws IOException {
        String readme = Files.readString(Path.of("..", "README.md"));
        int start = readme.indexOf("\n## Spring Boot\n");
        assertThat(start).as("README section \"## Spring Boot\"").isNotNegative();
        int end = readme.indexOf("\n## ", start + 1);
        section = readme.substring(start, end < 0 ? readme.length() : end);
    }

    @Test
    void javaBlock_isTheExamplesHandler() throws IOException {
        String source = Files.readString(SOURCES.resolve("StockReservation.java"));
        int start = source.indexOf('\n', source.indexOf("// snippet:handler")) + 1;
        String handler = source.substring(start, source.indexOf("// end:handler")).strip();
        assertThat(blocks("java")).containsExactly(handler);
    }

    @Test
    void yamlBlock_isTheExamplesApplicationYml() throws IOException {
        String yaml = Files.readString(Path.of("src", "main", "resources", "application.yml")).strip();
        assertThat(blocks("yaml")).containsExactly(yaml);
    }

    @Test
    void xmlBlock_namesTheStarterAndTheOutbox() throws IOException {
        String version = Files.readString(Path.of("..", "pom.xml"))
                .replaceFirst("(?s).*?<artifactId>eventcore-parent</artifactId>\\s*<version>([^<]+)</version>.*", "$1");
        assertThat(blocks("xml")).singleElement().asString()
                .contains("<artifactId>eventcore-spring-boot-starter</artifactId>")
                .contains("<artifactId>eventcore-outbox-jdbc</artifactId>")
                .contains("<version>" + version + "</version>");
    }

    @Test
    void command_isAProfileOfThisModule() throws IOException {
        assertThat(section).contains("`./mvnw -q -DskipTests -Prun-spring-example verify`");
        assertThat(Files.readString(Path.of("pom.xml"))).contains("<id>run-spring-example</id>")
                .contains("io.eventcore.examples.spring.SpringOrderService");
    }

    private static List<String> blocks(String language) {
        Matcher m = Pattern.compile("```" + language + "\\n(.*?)```", Pattern.DOTALL).matcher(section);
        List<String> found = new ArrayList<>();
        while (m.find()) {
            found.add(m.group(1).strip());
        }
        return found;
    }
}
