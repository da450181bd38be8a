package io.eventcore.spring.boot.docs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.eventcore.InboundMessage;
import io.eventcore.kafka.KafkaClientSettings;
import io.eventcore.kafka.KafkaEventConsumer;
import io.eventcore.routing.EventRouter;
import io.eventcore.spring.boot.EventcoreAutoConfiguration;
import io.eventcore.spring.boot.EventcoreKafkaAutoConfiguration;
import io.eventcore.spring.boot.EventcoreProperties;
import io.eventcore.spring.boot.outbox.EventcoreOutboxAutoConfiguration;
import io.eventcore.test.InMemoryBroker;
import io.eventcore.test.TestDatabase;
import io.eventcore.transport.EventPublisher;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.context.properties.bind.BindHandler;
import org.springframework.boot.context.properties.bind.BindResult;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.bind.handler.NoUnboundElementsBindHandler;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.annotation.EnableTransactionManagement;

/** Keeps docs/spring-boot.md honest: its Java is the compiled code beside this test, its YAML binds and runs. */
class SpringBootDocsTest {
    private static final Path DOC = Path.of("..", "docs", "spring-boot.md");
    private static final Path SOURCES = Path.of("src", "test", "java", "io", "eventcore", "spring", "boot", "docs");

    @Test
    void javaBlocks_areTheCompiledSnippets() throws IOException {
        List<String> inDoc = blocks("java");
        List<String> compiled = List.of(snippet("OrderPlacedHandler.java", "handler"),
                snippet("OrderService.java", "service"));
        assertThat(inDoc).containsExactlyElementsOf(compiled);
    }

    @Test
    void yaml_bindsEveryEventcoreKey() throws IOException {
        Map<String, String> properties = yamlProperties();
        Binder binder = new Binder(new MapConfigurationPropertySource(properties));
        BindResult<EventcoreProperties> bound = binder.bind("eventcore", Bindable.of(EventcoreProperties.class),
                new NoUnboundElementsBindHandler(BindHandler.DEFAULT));
        EventcoreProperties eventcore = bound.get();
        assertThat(eventcore.consumer().groupId()).isEqualTo("billing");
        assertThat(eventcore.outbox().relay().shutdownTimeout()).isEqualTo(Duration.ofSeconds(10));
    }

    @Test
    void everyYamlBlock_bindsToTheStartersProperties() throws IOException {
        int blocks = blocks("yaml").size();
        assertThat(blocks).isGreaterThanOrEqualTo(2);
        for (int i = 0; i < blocks; i++) {
            Map<String, String> properties = new LinkedHashMap<>(yamlProperties(i));
            properties.keySet().removeIf(key -> !key.startsWith("eventcore."));
            if (!properties.isEmpty()) {
                assertThat(new Binder(new MapConfigurationPropertySource(properties)).bind("eventcore",
                        Bindable.of(EventcoreProperties.class), new NoUnboundElementsBindHandler(BindHandler.DEFAULT))
                        .isBound()).as("YAML block %d binds", i).isTrue();
            }
        }
    }

    @Test
    void snippets_runWithTheDocumentedConfiguration() throws IOException, SQLException {
        DataSource dataSource = TestDatabase.h2("boot-docs-" + UUID.randomUUID()).dataSource();
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE orders (id VARCHAR(64) PRIMARY KEY, total_cents BIGINT)");
        }
        InMemoryBroker broker = new InMemoryBroker();
        List<String> pairs = new ArrayList<>();
        yamlProperties().forEach((key, value) -> pairs.add(key + "=" + value));
        pairs.add("eventcore.consumer.auto-startup=false"); // no broker at localhost:9092 in this test
        new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(EventcoreAutoConfiguration.class,
                        EventcoreKafkaAutoConfiguration.class, EventcoreOutboxAutoConfiguration.class))
                .withPropertyValues(pairs.toArray(String[]::new))
                .withBean(DataSource.class, () -> dataSource)
                .withBean(EventPublisher.class, broker::publisher)
                .withUserConfiguration(Application.class)
                .run(context -> {
                    assertThat(context.getBean(KafkaClientSettings.class).bootstrapServers()).isEqualTo("localhost:9092");
                    assertThat(context).hasSingleBean(KafkaEventConsumer.class);
                    context.getBean(OrderService.class).place("o-1", 4200);

                    await().atMost(Duration.ofSeconds(20)).until(() -> !broker.messages("order-events").isEmpty());
                    InboundMessage relayed = broker.messages("order-events").get(0);
                    context.getBean(EventRouter.class).dispatch(relayed).toCompletableFuture().join();
                    assertThat(context.getBean(Billing.class).charged.values())
                            .containsExactly(new OrderPlaced("o-1", 4200));
                });
    }

    @Configuration(proxyBeanMethods = false)
    @EnableTransactionManagement
    static class Application {
        @Bean
        PlatformTransactionManager transactionManager(DataSource dataSource) {
            return new DataSourceTransactionManager(dataSource);
        }

        @Bean
        JdbcTemplate jdbcTemplate(DataSource dataSource) {
            return new JdbcTemplate(dataSource);
        }

        @Bean
        Billing billing() {
            return new Billing();
        }

        @Bean
        OrderPlacedHandler orderPlacedHandler(Billing billing) {
            return new OrderPlacedHandler(billing);
        }

        @Bean
        OrderService orderService(JdbcTemplate jdbc, io.eventcore.spring.boot.outbox.OutboxAppender outbox) {
            return new OrderService(jdbc, outbox);
        }
    }

    private static List<String> blocks(String language) throws IOException {
        Matcher m = Pattern.compile("```" + language + "\\n(.*?)```", Pattern.DOTALL).matcher(Files.readString(DOC));
        List<String> found = new ArrayList<>();
        while (m.find()) {
            found.add(m.group(1).strip());
        }
        return found;
    }

    private static String snippet(String file, String name) throws IOException {
        String source = Files.readString(SOURCES.resolve(file));
        int start = source.indexOf("// snippet:" + name);
        int end = source.indexOf("// end:" + name);
        return source.substring(source.indexOf('\n', start) + 1, end).strip();
    }

    /** @return the quickstart's YAML (the page's first block), flattened */
    private static Map<String, String> yamlProperties() throws IOException {
        return yamlProperties(0);
    }

    private static Map<String, String> yamlProperties(int block) throws IOException {
        List<String> yaml = blocks("yaml");
        JsonNode root = new ObjectMapper(new YAMLFactory()).readTree(yaml.get(block));
        Map<String, String> flat = new LinkedHashMap<>();
        flatten("", root, flat);
        return flat;
    }

    private static void flatten(String prefix, JsonNode node, Map<String, String> into) {
        if (node.isObject()) {
            node.properties().forEach(e -> flatten(prefix.isEmpty() ? e.getKey() : prefix + "." + e.getKey(),
                    e.getValue(), into));
        } else {
            into.put(prefix, node.asText());
        }
    }
}
