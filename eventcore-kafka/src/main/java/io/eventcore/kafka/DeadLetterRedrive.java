package io.eventcore.kafka;

import io.eventcore.EventHeaders;
import io.eventcore.internal.Checks;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Republishes dead letters from a DLQ topic to the topic they came from, with their original key,
 * value and headers (dead-letter and retry headers stripped), so the consumer handles them again
 * once the cause is fixed.
 *
 * <p>A run reads the DLQ from the beginning up to its end offsets at the start of the run (no
 * consumer group, nothing committed), selects records by event type, exception class (simple or
 * fully qualified) and failure time window, and republishes the selection, awaiting every send.
 * In dry-run mode it only reports what it would do. Records are not removed from the DLQ: run
 * with a {@code from} time to avoid redriving the same letters twice.
 *
 * <p>Dead letters of events that failed in a retry topic name the original topic, so they are
 * sent there like any other. Its consumer and producer are configured from the
 * {@link KafkaClientSettings} (security included); the producer drops consumer-only properties.
 *
 * <p>Command line: {@code java -cp ... io.eventcore.kafka.DeadLetterRedrive
 * [--client-properties FILE] [--bootstrap-servers HOST:PORT] --dlq-topic TOPIC [--event-type T]
 * [--exception CLASS] [--from ISO] [--to ISO] [--dry-run]}. {@code --client-properties} loads a
 * Java properties file of client properties (security included, as for
 * {@link KafkaClientSettings.Builder#properties(Map)}); bootstrap servers come from it or from
 * {@code --bootstrap-servers}, not both.
 *
 * <p>A built redrive is immutable; {@link #run()} may be called again (each run reads the DLQ anew).
 */
public final class DeadLetterRedrive {
    /** Headers of retry copies: a redriven event starts over as a first delivery. */
    private static final Set<String> RETRY_HEADERS = Set.of(EventHeaders.ATTEMPT, EventHeaders.FIRST_FAILURE_AT,
            EventHeaders.DUE_AT, EventHeaders.ORIGINAL_TOPIC, EventHeaders.ORIGINAL_PARTITION,
            EventHeaders.ORIGINAL_OFFSET);

    private final KafkaClientSettings client;
    private final String dlqTopic;
    private final String eventType;
    private final String exception;
    private final Instant from;
    private final Instant to;
    private final boolean dryRun;
    private final PrintStream out;

    private DeadLetterRedrive(Builder b) {
        this.client = b.client.client();
        this.dlqTopic = b.dlqTopic;
        this.eventType = b.eventType;
        this.exception = b.exception;
        this.from = b.from;
        this.to = b.to;
        this.dryRun = Boolean.TRUE.equals(b.dryRun);
        this.out = b.out != null ? b.out : System.out;
    }

    /** @return a new builder */
    public static Builder builder() {
        return new Builder();
    }

    /** @return the client settings its consumer and producer start from */
    KafkaClientSettings client() {
        return client;
    }

    /**
     * What a run selected and did.
     *
     * @param scanned records read from the DLQ
     * @param selected records matching the filters
     * @param republished records sent to their original topics (0 in dry-run mode)
     */
    public record Report(int scanned, int selected, int republished) {
    }

    /**
     * Runs the redrive once: reads the DLQ up to its end offsets at the start of the run, then
     * republishes the selection (unless dry-run) and awaits every send. Reports each selected
     * record and a summary line to the output stream.
     *
     * @return the report
     * @throws Exception if reading or republishing fails (records already sent stay sent)
     */
    public Report run() throws Exception {
        Map<String, Object> consumerProps = new HashMap<>(client.properties());
        consumerProps.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        consumerProps.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, client.isolationLevel());
        consumerProps.remove(ConsumerConfig.GROUP_ID_CONFIG);
        List<ProducerRecord<byte[], byte[]>> selected = new ArrayList<>();
        int scanned;
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(consumerProps, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            scanned = scan(consumer, selected);
        }
        int republished = dryRun ? 0 : republish(selected);
        Report report = new Report(scanned, selected.size(), republished);
        out.printf("scanned %d, selected %d, republished %d%s%n", scanned, selected.size(), republished,
                dryRun ? " (dry run)" : "");
        return report;
    }

    /** Reads the DLQ from the beginning to its current end; adds the selected copies; returns the count read. */
    private int scan(KafkaConsumer<byte[], byte[]> consumer, List<ProducerRecord<byte[], byte[]>> selected) {
        List<TopicPartition> parts = consumer.partitionsFor(dlqTopic, Duration.ofSeconds(30)).stream()
                .map(p -> new TopicPartition(dlqTopic, p.partition())).toList();
        consumer.assign(parts);
        consumer.seekToBeginning(parts);
        Map<TopicPartition, Long> end = consumer.endOffsets(parts, Duration.ofSeconds(30));
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(10);
        int scanned = 0;
        while (parts.stream().anyMatch(p -> consumer.position(p) < end.get(p)) && System.nanoTime() < deadline) {
            for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                if (r.offset() >= end.get(new TopicPartition(r.topic(), r.partition()))) {
                    continue;
                }
                scanned++;
                ProducerRecord<byte[], byte[]> copy = select(r);
                if (copy != null) {
                    selected.add(copy);
                    out.printf("%s %s-%d@%d -> %s (event_type=%s, exception=%s)%n", dryRun ? "would redrive" : "redrive",
                            r.topic(), r.partition(), r.offset(), copy.topic(), header(r, EventHeaders.EVENT_TYPE),
                            header(r, KafkaDeadLetterSink.EXCEPTION));
                }
            }
        }
        return scanned;
    }

    /** Sends every record first, then awaits them all; returns how many were acknowledged. */
    private int republish(List<ProducerRecord<byte[], byte[]>> selected) throws Exception {
        if (selected.isEmpty()) {
            return 0;
        }
        int republished = 0;
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(
                KafkaConfig.producerPropsFrom(client.properties()), new ByteArraySerializer(), new ByteArraySerializer())) {
            List<Future<RecordMetadata>> sends = new ArrayList<>();
            for (ProducerRecord<byte[], byte[]> r : selected) {
                sends.add(producer.send(r));
            }
            for (Future<RecordMetadata> f : sends) {
                f.get(60, TimeUnit.SECONDS);
                republished++;
            }
        }
        return republished;
    }

    private ProducerRecord<byte[], byte[]> select(ConsumerRecord<byte[], byte[]> r) {
        String origin = header(r, KafkaDeadLetterSink.TOPIC);
        if (origin == null) {
            return null;
        }
        if (eventType != null && !eventType.equals(header(r, EventHeaders.EVENT_TYPE))) {
            return null;
        }
        if (exception != null) {
            String ex = header(r, KafkaDeadLetterSink.EXCEPTION);
            if (ex == null || !(ex.equals(exception) || ex.endsWith("." + exception))) {
                return null;
            }
        }
        if (from != null || to != null) {
            String last = header(r, KafkaDeadLetterSink.LAST_FAILURE);
            Instant at = last == null ? Instant.ofEpochMilli(r.timestamp()) : Instant.parse(last);
            if (from != null && at.isBefore(from) || to != null && !at.isBefore(to)) {
                return null;
            }
        }
        List<Header> headers = new ArrayList<>();
        for (Header h : r.headers()) {
            if (!h.key().startsWith(EventHeaders.DEAD_LETTER_PREFIX) && !RETRY_HEADERS.contains(h.key())) {
                headers.add(new RecordHeader(h.key(), h.value()));
            }
        }
        // The dead-letter topic header is the original topic, also for letters of retry copies.
        return new ProducerRecord<>(origin, null, r.key(), r.value(), headers);
    }

    private static String header(ConsumerRecord<byte[], byte[]> r, String name) {
        Header h = r.headers().lastHeader(name);
        return h == null || h.value() == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

    /**
     * Command-line entry point. Exit codes: 0 done, 2 bad arguments, 1 failure.
     *
     * @param args see the class description
     */
    public static void main(String[] args) {
        Builder b;
        try {
            b = RedriveCommandLine.parse(args, builder());
        } catch (RuntimeException e) {
            System.err.println("error: " + e.getMessage());
            System.err.println("usage: DeadLetterRedrive " + RedriveCommandLine.USAGE);
            System.exit(2);
            return;
        }
        try {
            b.build().run();
        } catch (Exception e) {
            System.err.println("redrive failed: " + e);
            System.exit(1);
        }
    }

    /**
     * Builds {@link DeadLetterRedrive} runs. Each setting may be made once: a repeated or
     * conflicting one is an {@link IllegalStateException} naming it, a bad value an
     * {@link IllegalArgumentException} naming setting and value. {@link #build()} requires the
     * client settings and the DLQ topic. Not thread-safe.
     */
    public static final class Builder {
        private final ClientSetup client = new ClientSetup();
        private String dlqTopic;
        private String eventType;
        private String exception;
        private Instant from;
        private Instant to;
        private Boolean dryRun;
        private PrintStream out;

        private Builder() {
        }

        /**
         * @param settings how the redrive's consumer and producer reach the cluster (bootstrap
         *     servers, security, client properties); required, or use
         *     {@link #bootstrapServers(String)}
         * @return this builder
         * @throws IllegalStateException if client settings were already given
         */
        public Builder client(KafkaClientSettings settings) {
            client.client(settings);
            return this;
        }

        /**
         * Shorthand for {@code client(KafkaClientSettings.of(servers))}: plaintext, no
         * authentication.
         *
         * @param servers {@code host:port[,host:port]}
         * @return this builder
         * @throws IllegalArgumentException if blank
         * @throws IllegalStateException if client settings were already given
         */
        public Builder bootstrapServers(String servers) {
            client.bootstrapServers(servers);
            return this;
        }

        /**
         * @param topic the DLQ topic to read, required
         * @return this builder
         * @throws IllegalArgumentException if blank
         * @throws IllegalStateException if already set
         */
        public Builder dlqTopic(String topic) {
            this.dlqTopic = Checks.once("dlqTopic", dlqTopic, Checks.notBlank("dlqTopic", topic));
            return this;
        }

        /**
         * @param type only letters with this {@code event_type}; defaults to all types
         * @return this builder
         * @throws IllegalArgumentException if blank
         * @throws IllegalStateException if already set
         */
        public Builder eventType(String type) {
            this.eventType = Checks.once("eventType", eventType, Checks.notBlank("eventType", type));
            return this;
        }

        /**
         * @param className only letters whose exception class has this simple or full name;
         *     defaults to all exceptions
         * @return this builder
         * @throws IllegalArgumentException if blank
         * @throws IllegalStateException if already set
         */
        public Builder exception(String className) {
            this.exception = Checks.once("exception", exception, Checks.notBlank("exception", className));
            return this;
        }

        /**
         * @param start only letters whose last failure is at or after this instant; defaults to
         *     no lower bound
         * @return this builder
         * @throws IllegalStateException if already set
         */
        public Builder from(Instant start) {
            this.from = Checks.once("from", from, Objects.requireNonNull(start, "from"));
            return this;
        }

        /**
         * @param end only letters whose last failure is before this instant; defaults to no
         *     upper bound
         * @return this builder
         * @throws IllegalStateException if already set
         */
        public Builder to(Instant end) {
            this.to = Checks.once("to", to, Objects.requireNonNull(end, "to"));
            return this;
        }

        /**
         * @param enabled report only, republish nothing; defaults to {@code false}
         * @return this builder
         * @throws IllegalStateException if already set
         */
        public Builder dryRun(boolean enabled) {
            this.dryRun = Checks.once("dryRun", dryRun, enabled);
            return this;
        }

        /**
         * @param stream where the run reports what it does; defaults to {@code System.out}
         * @return this builder
         * @throws IllegalStateException if already set
         */
        public Builder output(PrintStream stream) {
            this.out = Checks.once("output", out, Objects.requireNonNull(stream, "output"));
            return this;
        }

        void validate() {
            client.client();
            if (dlqTopic == null) {
                throw new IllegalStateException("dlqTopic must be set");
            }
            if (from != null && to != null && !from.isBefore(to)) {
                throw new IllegalStateException("from (" + from + ") must be before to (" + to + ")");
            }
        }

        /**
         * @return the redrive
         * @throws IllegalStateException naming a missing or conflicting setting
         */
        public DeadLetterRedrive build() {
            validate();
            return new DeadLetterRedrive(this);
        }
    }
}
