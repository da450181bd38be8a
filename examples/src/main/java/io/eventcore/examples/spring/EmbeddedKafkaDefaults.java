package io.eventcore.examples.spring;

import io.eventcore.test.EmbeddedKafka;
import java.io.PrintStream;
import java.util.Map;
import org.springframework.boot.context.event.ApplicationEnvironmentPreparedEvent;
import org.springframework.context.ApplicationListener;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;

/**
 * The embedded default for Kafka: when neither {@code spring.kafka.bootstrap-servers} nor
 * {@code eventcore.kafka.bootstrap-servers} is set (arguments, environment, {@code application.yml}), starts
 * the in-JVM broker of {@link EmbeddedKafka} and sets {@code spring.kafka.bootstrap-servers} to it, as the
 * property source of lowest precedence.
 */
final class EmbeddedKafkaDefaults implements ApplicationListener<ApplicationEnvironmentPreparedEvent> {
    private final PrintStream out;

    EmbeddedKafkaDefaults(PrintStream out) {
        this.out = out;
    }

    @Override
    public void onApplicationEvent(ApplicationEnvironmentPreparedEvent event) {
        ConfigurableEnvironment environment = event.getEnvironment();
        if (environment.containsProperty("spring.kafka.bootstrap-servers")
                || environment.containsProperty("eventcore.kafka.bootstrap-servers")) {
            out.println("kafka: " + environment.getProperty("eventcore.kafka.bootstrap-servers",
                    environment.getProperty("spring.kafka.bootstrap-servers", "")));
            return;
        }
        out.println("kafka: starting an in-JVM KRaft broker (pass --spring.kafka.bootstrap-servers=host:port"
                + " to use your own)");
        environment.getPropertySources().addLast(new MapPropertySource("embeddedKafka",
                Map.of("spring.kafka.bootstrap-servers", EmbeddedKafka.bootstrapServers())));
    }
}
