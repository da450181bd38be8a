package io.eventcore.kafka;

import io.eventcore.internal.Checks;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.common.config.SaslConfigs;
import org.apache.kafka.common.config.SslConfigs;
import org.apache.kafka.common.security.auth.SecurityProtocol;

/**
 * How eventcore's Kafka clients reach the cluster: bootstrap servers, security and any other
 * client property, configured once and given to every Kafka builder
 * ({@link KafkaEventPublisher.Builder#client}, {@link KafkaEventConsumerBuilder#client},
 * {@link KafkaDeadLetterSink.Builder#client}, {@link DeadLetterRedrive.Builder#client}). Every
 * client those create (publisher, consumer, retry-topic producer, dead-letter producer, redrive
 * consumer and producer) starts from {@link #properties()}.
 *
 * <pre>{@code
 * KafkaClientSettings client = KafkaClientSettings.builder()
 *     .bootstrapServers("broker-1:9093,broker-2:9093")
 *     .securityProtocol("SASL_SSL")
 *     .sasl("SCRAM-SHA-512", jaasConfig)
 *     .truststore("/etc/kafka/truststore.p12", truststorePassword)
 *     .build();
 * }</pre>
 *
 * <p>Properties given through {@link Builder#properties(Map)} are passed to kafka-clients untouched;
 * kafka-clients validates them. eventcore validates only its own settings. Secret values
 * ({@code sasl.jaas.config}, every key naming a password, secret, token or credentials, SSL
 * private keys) never appear in {@link #toString()}.
 *
 * <p>Immutable and thread-safe.
 */
public final class KafkaClientSettings {
    /** Default {@link Builder#transactionalIdPrefix transactional id prefix}: {@value}. */
    public static final String DEFAULT_TRANSACTIONAL_ID_PREFIX = "eventcore-";
    /** Default {@link Builder#isolationLevel isolation level} of consumers: {@value}. */
    public static final String DEFAULT_ISOLATION_LEVEL = "read_committed";
    /** Default {@link Builder#positionsTopic topic} of transactional positions: {@value}. */
    public static final String DEFAULT_POSITIONS_TOPIC = "eventcore-positions";

    private final Map<String, Object> properties;
    private final String transactionalIdPrefix;
    private final Duration transactionTimeout;
    private final String isolationLevel;
    private final String positionsTopic;

    private KafkaClientSettings(Map<String, Object> properties, Builder b) {
        this.properties = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(properties));
        this.transactionalIdPrefix = b.transactionalIdPrefix != null ? b.transactionalIdPrefix
                : DEFAULT_TRANSACTIONAL_ID_PREFIX;
        this.transactionTimeout = b.transactionTimeout;
        this.isolationLevel = b.isolationLevel != null ? b.isolationLevel : DEFAULT_ISOLATION_LEVEL;
        this.positionsTopic = b.positionsTopic != null ? b.positionsTopic : DEFAULT_POSITIONS_TOPIC;
    }

    /**
     * @return the prefix of every {@code transactional.id} eventcore's clients use (the outbox relay's shard
     *     streams, transactional publishers and consumers); defaults to {@value #DEFAULT_TRANSACTIONAL_ID_PREFIX}
     */
    public String transactionalIdPrefix() {
        return transactionalIdPrefix;
    }

    /**
     * @return {@code transaction.timeout.ms} of transactional producers, or {@code null} for Kafka's default
     *     (60 s)
     */
    public Duration transactionTimeout() {
        return transactionTimeout;
    }

    /** @return the {@code isolation.level} of consumers; defaults to {@value #DEFAULT_ISOLATION_LEVEL} */
    public String isolationLevel() {
        return isolationLevel;
    }

    /** @return where transactional streams commit their positions; defaults to {@value #DEFAULT_POSITIONS_TOPIC} */
    public String positionsTopic() {
        return positionsTopic;
    }

    /**
     * Settings with bootstrap servers only (plaintext, no authentication).
     *
     * @param bootstrapServers {@code host:port[,host:port]}, not blank
     * @return the settings
     * @throws IllegalArgumentException if {@code bootstrapServers} is blank
     */
    public static KafkaClientSettings of(String bootstrapServers) {
        return builder().bootstrapServers(bootstrapServers).build();
    }

    /** @return a new builder */
    public static Builder builder() {
        return new Builder();
    }

    /** @return the {@code bootstrap.servers} every client connects to */
    public String bootstrapServers() {
        return String.valueOf(properties.get(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG));
    }

    /**
     * @return every client property, including {@code bootstrap.servers} and the security ones;
     *     unmodifiable, values as given (secrets unmasked: do not log this map)
     */
    public Map<String, Object> properties() {
        return properties;
    }

    /**
     * @return the properties sorted by key, secret values replaced by {@code [hidden]}, then eventcore's own settings
     *     that differ from their defaults
     */
    @Override
    public String toString() {
        StringBuilder own = new StringBuilder();
        appendIfSet(own, "transactionalIdPrefix", transactionalIdPrefix, DEFAULT_TRANSACTIONAL_ID_PREFIX);
        appendIfSet(own, "transactionTimeout", transactionTimeout, null);
        appendIfSet(own, "isolationLevel", isolationLevel, DEFAULT_ISOLATION_LEVEL);
        appendIfSet(own, "positionsTopic", positionsTopic, DEFAULT_POSITIONS_TOPIC);
        return "KafkaClientSettings" + KafkaConfig.masked(properties) + (own.length() == 0 ? "" : "{" + own + "}");
    }

    /** Names eventcore's own settings that differ from their defaults, in {@link #toString()}. */
    private static void appendIfSet(StringBuilder out, String name, Object value, Object defaultValue) {
        if (value != null && !value.equals(defaultValue)) {
            out.append(out.length() == 0 ? "" : ", ").append(name).append('=').append(value);
        }
    }

    /**
     * Builds {@link KafkaClientSettings}. Every setting may be made once
     * ({@link IllegalStateException} naming it otherwise); a typed setter and a
     * {@link #properties(Map)} entry for the same Kafka key conflict ({@link IllegalStateException}
     * naming the key). {@link #build()} requires bootstrap servers, given by
     * {@link #bootstrapServers(String)} or as a {@code bootstrap.servers} property. Not thread-safe.
     */
    public static final class Builder {
        /** Kafka key of each typed setting, to name both when they conflict with a property. */
        private final Map<String, String> typed = new LinkedHashMap<>();
        private final Map<String, Object> values = new HashMap<>();
        private Map<String, Object> passThrough;
        private String transactionalIdPrefix;
        private Duration transactionTimeout;
        private String isolationLevel;
        private String positionsTopic;

        private Builder() {
        }

        /**
         * @param prefix prefix of every {@code transactional.id} of eventcore's clients, e.g. the service's name
         *     and a dash; not blank. Two services sharing a cluster need different prefixes (or outbox names).
         *     Defaults to {@value KafkaClientSettings#DEFAULT_TRANSACTIONAL_ID_PREFIX}.
         * @return this builder
         * @throws IllegalArgumentException if blank
         * @throws IllegalStateException if already set
         */
        public Builder transactionalIdPrefix(String prefix) {
            this.transactionalIdPrefix = Checks.once("transactionalIdPrefix", transactionalIdPrefix,
                    Checks.notBlank("transactionalIdPrefix", prefix));
            return this;
        }

        /**
         * @param timeout {@code transaction.timeout.ms} of transactional producers: the longest a transaction
         *     may stay open before the broker aborts it (and the longest a stalled producer holds back
         *     {@code read_committed} readers of its partitions); positive, at most the broker's
         *     {@code transaction.max.timeout.ms} (15 min by default). Defaults to Kafka's 60 s.
         * @return this builder
         * @throws IllegalArgumentException if not positive
         * @throws IllegalStateException if already set
         */
        public Builder transactionTimeout(Duration timeout) {
            this.transactionTimeout = Checks.once("transactionTimeout", transactionTimeout,
                    Checks.positive("transactionTimeout", timeout));
            return this;
        }

        /**
         * @param level {@code isolation.level} of eventcore's consumers: {@code read_committed} (the default:
         *     aborted transactions are never handled, open ones hold their partition back until they end) or
         *     {@code read_uncommitted}
         * @return this builder
         * @throws IllegalArgumentException if neither
         * @throws IllegalStateException if already set
         */
        public Builder isolationLevel(String level) {
            Checks.notBlank("isolationLevel", level);
            if (!level.equals("read_committed") && !level.equals("read_uncommitted")) {
                throw new IllegalArgumentException("isolationLevel must be read_committed or read_uncommitted, but was "
                        + level);
            }
            this.isolationLevel = Checks.once("isolationLevel", isolationLevel, level);
            return this;
        }

        /**
         * @param topic where transactional streams (the outbox relay's shards) commit their positions, as offset
         *     metadata of its partition 0; created with one partition when missing. Not blank. Defaults to
         *     {@value KafkaClientSettings#DEFAULT_POSITIONS_TOPIC}.
         * @return this builder
         * @throws IllegalArgumentException if blank
         * @throws IllegalStateException if already set
         */
        public Builder positionsTopic(String topic) {
            this.positionsTopic = Checks.once("positionsTopic", positionsTopic, Checks.notBlank("positionsTopic", topic));
            return this;
        }

        /**
         * @param servers {@code host:port[,host:port]}, required unless given as a
         *     {@code bootstrap.servers} property
         * @return this builder
         * @throws IllegalArgumentException if blank
         * @throws IllegalStateException if already set
         */
        public Builder bootstrapServers(String servers) {
            return typed("bootstrapServers", CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG,
                    Checks.notBlank("bootstrapServers", servers));
        }

        /**
         * Client properties for every client, passed through untouched (for example
         * {@code client.dns.lookup}, {@code sasl.login.callback.handler.class}, or security
         * properties as a map). Not for settings of one client type: give producer or consumer
         * tuning to that builder's {@code properties}.
         *
         * @param props Kafka client properties; copied
         * @return this builder
         * @throws IllegalStateException if already set
         */
        public Builder properties(Map<String, ?> props) {
            Objects.requireNonNull(props, "properties");
            Map<String, Object> shown = passThrough == null ? null : KafkaConfig.masked(passThrough);
            Checks.once("properties", shown, props);
            this.passThrough = new HashMap<>(props);
            return this;
        }

        /**
         * @param protocol {@code security.protocol}: {@code PLAINTEXT}, {@code SSL},
         *     {@code SASL_PLAINTEXT} or {@code SASL_SSL}; Kafka's default is {@code PLAINTEXT}
         * @return this builder
         * @throws IllegalArgumentException if {@code protocol} is none of those
         * @throws IllegalStateException if already set
         */
        public Builder securityProtocol(String protocol) {
            Checks.notBlank("securityProtocol", protocol);
            if (!SecurityProtocol.names().contains(protocol)) {
                throw new IllegalArgumentException("securityProtocol must be one of " + SecurityProtocol.names()
                        + ", but was " + protocol);
            }
            return typed("securityProtocol", CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, protocol);
        }

        /**
         * SASL authentication; set {@link #securityProtocol(String)} to {@code SASL_SSL} or
         * {@code SASL_PLAINTEXT} as well.
         *
         * @param mechanism {@code sasl.mechanism}, e.g. {@code PLAIN}, {@code SCRAM-SHA-512}
         * @param jaasConfig {@code sasl.jaas.config}; never shown by {@code toString()}
         * @return this builder
         * @throws IllegalArgumentException if either is blank
         * @throws IllegalStateException if already set
         */
        public Builder sasl(String mechanism, String jaasConfig) {
            Checks.notBlank("saslMechanism", mechanism);
            Checks.notBlank("saslJaasConfig", jaasConfig);
            typed("sasl", SaslConfigs.SASL_MECHANISM, mechanism);
            return typed("sasl", SaslConfigs.SASL_JAAS_CONFIG, jaasConfig);
        }

        /**
         * The trust store that verifies the brokers' certificates (TLS).
         *
         * @param location {@code ssl.truststore.location}, a file path
         * @param password {@code ssl.truststore.password}; never shown by {@code toString()}
         * @return this builder
         * @throws IllegalArgumentException if {@code location} is blank
         * @throws IllegalStateException if already set
         */
        public Builder truststore(String location, String password) {
            typed("truststore", SslConfigs.SSL_TRUSTSTORE_LOCATION_CONFIG, Checks.notBlank("truststore", location));
            return typed("truststore", SslConfigs.SSL_TRUSTSTORE_PASSWORD_CONFIG,
                    Objects.requireNonNull(password, "truststore password"));
        }

        /**
         * The key store holding this client's certificate (mutual TLS).
         *
         * @param location {@code ssl.keystore.location}, a file path
         * @param storePassword {@code ssl.keystore.password}; never shown by {@code toString()}
         * @param keyPassword {@code ssl.key.password}, or {@code null} when the key has none;
         *     never shown by {@code toString()}
         * @return this builder
         * @throws IllegalArgumentException if {@code location} is blank
         * @throws IllegalStateException if already set
         */
        public Builder keystore(String location, String storePassword, String keyPassword) {
            typed("keystore", SslConfigs.SSL_KEYSTORE_LOCATION_CONFIG, Checks.notBlank("keystore", location));
            typed("keystore", SslConfigs.SSL_KEYSTORE_PASSWORD_CONFIG,
                    Objects.requireNonNull(storePassword, "keystore password"));
            return keyPassword == null ? this : typed("keystore", SslConfigs.SSL_KEY_PASSWORD_CONFIG, keyPassword);
        }

        private Builder typed(String setting, String kafkaKey, Object value) {
            Checks.once(setting, values.containsKey(kafkaKey) ? KafkaConfig.masked(kafkaKey, values.get(kafkaKey))
                    : null, value);
            typed.put(kafkaKey, setting);
            values.put(kafkaKey, value);
            return this;
        }

        /**
         * @return the settings
         * @throws IllegalStateException if no bootstrap servers were given, or a typed setting and
         *     a property set the same key (naming both)
         */
        public KafkaClientSettings build() {
            Map<String, Object> all = new HashMap<>();
            if (passThrough != null) {
                for (Map.Entry<String, String> t : typed.entrySet()) {
                    if (passThrough.containsKey(t.getKey())) {
                        throw new IllegalStateException(t.getValue() + " conflicts with the " + t.getKey()
                                + " property: set it once");
                    }
                }
                all.putAll(passThrough);
            }
            all.putAll(values);
            Object servers = all.get(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG);
            if (servers == null || servers.toString().isBlank()) {
                throw new IllegalStateException("bootstrapServers must be set (or the bootstrap.servers property)");
            }
            return new KafkaClientSettings(all, this);
        }
    }
}
