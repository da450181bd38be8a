package io.eventcore;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The build rule that keeps eventcore-api transport- and store-neutral: no source file may use
 * java.sql or Kafka. (The enforcer plugin separately bans Kafka and JDBC driver dependencies.)
 */
class ApiBoundaryTest {
    private static final Pattern FORBIDDEN = Pattern.compile("\\b(java\\.sql|javax\\.sql|org\\.apache\\.kafka)\\.");

    @Test
    void apiSources_neverUseJdbcOrKafka() throws IOException {
        Path sources = Path.of("src/main/java");
        assertThat(sources).isDirectory();
        List<String> offenders;
        try (Stream<Path> files = Files.walk(sources)) {
            offenders = files.filter(p -> p.toString().endsWith(".java")).filter(p -> {
                try {
                    return FORBIDDEN.matcher(Files.readString(p)).find();
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }).map(Path::toString).toList();
        }
        assertThat(offenders).as("files in eventcore-api using java.sql or Kafka").isEmpty();
    }

    @Test
    void forbiddenPattern_catchesImportsAndQualifiedNames() {
        assertThat(FORBIDDEN.matcher("import java.sql.Connection;").find()).isTrue();
        assertThat(FORBIDDEN.matcher("org.apache.kafka.clients.X x;").find()).isTrue();
        assertThat(FORBIDDEN.matcher("import java.util.List;").find()).isFalse();
    }
}
