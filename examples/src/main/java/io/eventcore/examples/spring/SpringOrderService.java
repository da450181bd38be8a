package io.eventcore.examples.spring;

import io.eventcore.test.EmbeddedKafka;
import org.springframework.boot.Banner;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.logging.LoggingSystem;

/**
 * The order service as a Spring Boot application: {@link Orders} writes an order row and appends
 * {@link OrderPlaced} to the outbox in one transaction, the starter's relay publishes it to the
 * {@code order-events} topic, and its consumer hands it to {@link StockReservation}, which reserves stock;
 * poison orders go to {@code order-events.dlq}. {@link OrderDemo} places the orders and reports.
 *
 * <p>With no arguments it runs on an in-JVM Kafka broker ({@link EmbeddedKafkaDefaults}) and an in-memory H2
 * (Spring Boot's embedded default); {@code --spring.kafka.bootstrap-servers=...} and
 * {@code --spring.datasource.url=...} (with {@code --spring.datasource.username=...}) point it elsewhere.
 */
@SpringBootApplication
@EnableConfigurationProperties(DemoSettings.class)
public class SpringOrderService {

    SpringOrderService() {
    }

    /**
     * Runs the example and exits with {@link OrderDemo}'s exit code: 0 when every order was reserved or
     * dead-lettered, 1 otherwise (a failed start included).
     *
     * @param args Spring Boot arguments, e.g. {@code --example.orders=1000}
     */
    public static void main(String[] args) {
        // Spring logs through commons-logging, which prefers the Log4j that the embedded broker brings over
        // SLF4J: send it to slf4j-simple like everything else, and keep Boot from reconfiguring Log4j.
        System.setProperty("org.apache.commons.logging.LogFactory", "org.apache.commons.logging.impl.Slf4jLogFactory");
        System.setProperty(LoggingSystem.SYSTEM_PROPERTY, LoggingSystem.NONE);
        int code;
        try {
            code = SpringApplication.exit(application().run(args));
        } catch (RuntimeException e) {
            System.err.println("order service failed: " + e);
            e.printStackTrace();
            code = 1;
        } finally {
            EmbeddedKafka.stop(); // not at JVM exit, where its shutdown hooks would race System.exit
        }
        System.exit(code);
    }

    /**
     * The application as {@link #main} runs it; tests run it too.
     *
     * @return a new application with the embedded Kafka default and no banner
     */
    static SpringApplication application() {
        SpringApplication application = new SpringApplication(SpringOrderService.class);
        application.setMainApplicationClass(SpringOrderService.class);
        application.setBannerMode(Banner.Mode.OFF);
        application.addListeners(new EmbeddedKafkaDefaults(System.out));
        return application;
    }
}
