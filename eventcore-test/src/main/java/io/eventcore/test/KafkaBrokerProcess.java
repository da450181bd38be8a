package io.eventcore.test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.Uuid;

/**
 * A real single-node KRaft Kafka broker in a child JVM ({@code kafka.Kafka}, from the
 * {@code kafka_2.13} jar that Kafka's test kit brings), so fault tests can kill it with SIGKILL and
 * start it again on the same port and log directory. Listens on 127.0.0.1 only.
 *
 * <p>Needs {@code org.apache.kafka:kafka-test-common-runtime} (or {@code kafka_2.13}) on the test
 * classpath. Not thread-safe: drive it from the test thread.
 */
public final class KafkaBrokerProcess implements AutoCloseable {
    private final Path dir;
    private final int port;
    private final KafkaNode node;

    /** How clients reach the broker. */
    public enum Security {
        /** No authentication, no encryption. */
        PLAINTEXT,
        /** SASL/PLAIN over plaintext; user {@value #SASL_USER}, password {@value #SASL_PASSWORD}. */
        SASL_PLAIN,
        /** TLS with a self-signed certificate for 127.0.0.1 (generated with keytool). */
        SSL
    }

    /** The SASL/PLAIN user clients log in as. */
    public static final String SASL_USER = "alice";
    /** The SASL/PLAIN password of {@link #SASL_USER}. */
    public static final String SASL_PASSWORD = "alice-secret-4711";
    private static final String STORE_PASSWORD = "changeit-0815";

    private final Security security;
    private final Map<String, Object> clientProperties = new java.util.HashMap<>();

    private KafkaBrokerProcess(Security security, Map<String, String> overrides) throws IOException {
        this.security = security;
        this.dir = Files.createTempDirectory("eventcore-kafka-");
        this.port = KafkaNode.freePort();
        int controllerPort = KafkaNode.freePort();
        String listener = security == Security.PLAINTEXT ? "PLAINTEXT"
                : security == Security.SASL_PLAIN ? "SASL_PLAINTEXT" : "SSL";
        List<String> lines = new java.util.ArrayList<>(List.of(
                "process.roles=broker,controller",
                "node.id=1",
                "controller.quorum.voters=1@127.0.0.1:" + controllerPort,
                "listeners=" + listener + "://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort,
                "advertised.listeners=" + listener + "://127.0.0.1:" + port,
                "controller.listener.names=CONTROLLER",
                "inter.broker.listener.name=" + listener,
                "listener.security.protocol.map=" + listener + ":" + listener + ",CONTROLLER:PLAINTEXT",
                "log.dirs=" + dir.resolve("logs"),
                "offsets.topic.replication.factor=1",
                "offsets.topic.num.partitions=3",
                "transaction.state.log.replication.factor=1",
                "transaction.state.log.min.isr=1",
                "share.coordinator.state.topic.replication.factor=1", // share groups (KIP-932) on one broker
                "share.coordinator.state.topic.min.isr=1",
                "group.initial.rebalance.delay.ms=0",
                "num.partitions=3",
                "auto.create.topics.enable=true"));
        KafkaNode.override(lines, overrides);
        clientProperties.put("bootstrap.servers", bootstrapServers());
        if (security == Security.SASL_PLAIN) {
            lines.add("sasl.enabled.mechanisms=PLAIN");
            lines.add("sasl.mechanism.inter.broker.protocol=PLAIN");
            lines.add("listener.name.sasl_plaintext.plain.sasl.jaas.config="
                    + "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"broker\" "
                    + "password=\"broker-secret\" user_broker=\"broker-secret\" user_" + SASL_USER + "=\""
                    + SASL_PASSWORD + "\";");
            clientProperties.putAll(saslClient(SASL_PASSWORD));
        } else if (security == Security.SSL) {
            configureSsl(lines);
        }
        this.node = new KafkaNode(dir, "broker", lines, Uuid.randomUuid().toString(), KafkaNode.DEFAULT_JVM_OPTIONS);
        node.awaitFormatted();
    }

    /** Creates a self-signed broker certificate and a trust store, and configures both sides for TLS. */
    private void configureSsl(List<String> lines) throws IOException {
        Path keystore = dir.resolve("broker.p12");
        Path truststore = dir.resolve("trust.p12");
        Path cert = dir.resolve("broker.crt");
        keytool(List.of("-genkeypair", "-alias", "broker", "-keyalg", "RSA", "-keysize", "2048", "-validity", "2",
                "-dname", "CN=localhost", "-ext", "SAN=ip:127.0.0.1,dns:localhost", "-keystore", keystore.toString(),
                "-storetype", "PKCS12", "-storepass", STORE_PASSWORD, "-keypass", STORE_PASSWORD));
        keytool(List.of("-exportcert", "-alias", "broker", "-keystore", keystore.toString(), "-storetype", "PKCS12",
                "-storepass", STORE_PASSWORD, "-rfc", "-file", cert.toString()));
        keytool(List.of("-importcert", "-noprompt", "-alias", "broker", "-file", cert.toString(), "-keystore",
                truststore.toString(), "-storetype", "PKCS12", "-storepass", STORE_PASSWORD));
        lines.add("ssl.keystore.location=" + keystore);
        lines.add("ssl.keystore.password=" + STORE_PASSWORD);
        lines.add("ssl.key.password=" + STORE_PASSWORD);
        lines.add("ssl.keystore.type=PKCS12");
        lines.add("ssl.truststore.location=" + truststore);
        lines.add("ssl.truststore.password=" + STORE_PASSWORD);
        lines.add("ssl.truststore.type=PKCS12");
        lines.add("ssl.client.auth=none");
        clientProperties.put("security.protocol", "SSL");
        clientProperties.put("ssl.truststore.location", truststore.toString());
        clientProperties.put("ssl.truststore.password", STORE_PASSWORD);
        clientProperties.put("ssl.truststore.type", "PKCS12");
    }

    /**
     * @param password the password to log in with
     * @return client properties for SASL/PLAIN as {@link #SASL_USER} with that password
     */
    public static Map<String, Object> saslClient(String password) {
        return Map.of("security.protocol", "SASL_PLAINTEXT", "sasl.mechanism", "PLAIN", "sasl.jaas.config",
                "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"" + SASL_USER
                        + "\" password=\"" + password + "\";");
    }

    /**
     * @return what a client needs to reach this broker: {@code bootstrap.servers} plus the security
     *         properties of its {@link Security} mode
     */
    public Map<String, Object> clientProperties() {
        return Map.copyOf(clientProperties);
    }

    private void keytool(List<String> args) throws IOException {
        List<String> cmd = new java.util.ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        cmd.addAll(args);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("keytool.log").toFile())).start();
        try {
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IllegalStateException("keytool " + args.get(0) + " failed; see " + dir.resolve("keytool.log"));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /**
     * Formats a new log directory and starts the broker.
     *
     * @return the running broker
     * @throws IllegalStateException if it does not answer within 60 s
     */
    public static KafkaBrokerProcess start() {
        return start(Security.PLAINTEXT);
    }

    /**
     * Formats a new log directory and starts the broker with the given client security.
     *
     * @param security how clients authenticate and connect; see {@link #clientProperties()}
     * @return the running broker
     * @throws IllegalStateException if it does not answer within 60 s
     */
    public static KafkaBrokerProcess start(Security security) {
        return start(security, Map.of());
    }

    /**
     * Formats a new log directory and starts the broker with the given client security and broker
     * properties, for example {@code auto.create.topics.enable=false}.
     *
     * @param security how clients authenticate and connect; see {@link #clientProperties()}
     * @param brokerProperties broker settings that replace or add to the defaults (the defaults
     *     auto-create topics with 3 partitions and run one KRaft node that is broker and controller)
     * @return the running broker
     * @throws IllegalStateException if it does not answer within 60 s
     */
    public static KafkaBrokerProcess start(Security security, Map<String, String> brokerProperties) {
        try {
            KafkaBrokerProcess broker = new KafkaBrokerProcess(security, Map.copyOf(brokerProperties));
            broker.restart();
            return broker;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** @return the client security mode */
    public Security security() {
        return security;
    }

    /** @return {@code 127.0.0.1:<port>}; the same across restarts */
    public String bootstrapServers() {
        return "127.0.0.1:" + port;
    }

    /** Kills the broker with SIGKILL (no clean shutdown) and waits for the process to end. */
    public void kill() {
        node.kill();
    }

    /**
     * Starts the broker again on the same port and log directory (kill it first).
     *
     * @throws IllegalStateException if it does not answer within 60 s
     */
    public void restart() {
        if (node.isRunning()) {
            throw new IllegalStateException("broker is running");
        }
        node.kill(); // forget a process that died by itself
        node.start();
        node.awaitAnswer(clientProperties, -1, 60);
    }

    /** @return whether the broker process is alive */
    public boolean isRunning() {
        return node.isRunning();
    }

    /** Kills the broker. The log directory is left for inspection. */
    @Override
    public void close() {
        kill();
    }
}
