package io.eventcore.kafka;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;

/** The command line of {@link DeadLetterRedrive#main}: options to a builder, client settings included. */
final class RedriveCommandLine {
    static final String USAGE = "[--client-properties FILE] [--bootstrap-servers HOST:PORT] --dlq-topic TOPIC "
            + "[--event-type TYPE] [--exception CLASS] [--from ISO-INSTANT] [--to ISO-INSTANT] [--dry-run]";

    private RedriveCommandLine() {
    }

    /**
     * @param args the options
     * @param b a fresh builder
     * @return {@code b}, configured and validated
     * @throws RuntimeException naming the bad option or setting ({@link UncheckedIOException} if the
     *     properties file cannot be read)
     */
    static DeadLetterRedrive.Builder parse(String[] args, DeadLetterRedrive.Builder b) {
        String servers = null;
        Path propertiesFile = null;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "--bootstrap-servers" -> servers = once(a, servers, value(args, ++i, a));
                case "--client-properties" -> propertiesFile = once(a, propertiesFile, Path.of(value(args, ++i, a)));
                case "--dlq-topic" -> b.dlqTopic(value(args, ++i, a));
                case "--event-type" -> b.eventType(value(args, ++i, a));
                case "--exception" -> b.exception(value(args, ++i, a));
                case "--from" -> b.from(Instant.parse(value(args, ++i, a)));
                case "--to" -> b.to(Instant.parse(value(args, ++i, a)));
                case "--dry-run" -> b.dryRun(true);
                default -> throw new IllegalArgumentException("unknown option " + a);
            }
        }
        if (propertiesFile != null) {
            KafkaClientSettings.Builder client = KafkaClientSettings.builder().properties(load(propertiesFile));
            b.client(servers == null ? client.build() : client.bootstrapServers(servers).build());
        } else if (servers != null) {
            b.bootstrapServers(servers);
        }
        b.validate();
        return b;
    }

    /** @return the file's properties as a map, values as strings */
    static Map<String, Object> load(Path file) {
        Properties props = new Properties();
        try (InputStream in = Files.newInputStream(file)) {
            props.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read --client-properties " + file + ": " + e.getMessage(), e);
        }
        Map<String, Object> out = new HashMap<>();
        props.stringPropertyNames().forEach(k -> out.put(k, props.getProperty(k)));
        return out;
    }

    private static <T> T once(String option, T previous, T value) {
        if (previous != null) {
            throw new IllegalArgumentException(option + " given twice");
        }
        return value;
    }

    private static String value(String[] args, int i, String option) {
        if (i >= args.length) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return args[i];
    }
}
