package io.eventcore.test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.Node;

/**
 * One KRaft server (broker, controller or both) in a child JVM ({@code kafka.Kafka} on the test
 * classpath): its properties file, formatted log directory, log file and process. Shared by
 * {@link KafkaBrokerProcess} and {@link KafkaClusterProcess}. Not thread-safe.
 */
final class KafkaNode {
    /** JVM options of {@link KafkaBrokerProcess}'s broker. */
    static final List<String> DEFAULT_JVM_OPTIONS = List.of("-Xmx512m", "-XX:+UseSerialGC");

    private final String name;
    private final Path config;
    private final Path log;
    private final Path formatLog;
    private final List<String> jvmOptions;
    private Process format;
    private Process process;

    /**
     * Writes {@code <dir>/<name>.properties} and starts formatting the node's storage with
     * {@code clusterId}; {@link #awaitFormatted()} waits for it, so that nodes format in parallel.
     *
     * @param lines the server properties, one {@code key=value} per line; {@code log.dirs} among them
     * @param jvmOptions options of the node's JVMs, heap and garbage collector among them
     */
    KafkaNode(Path dir, String name, List<String> lines, String clusterId, List<String> jvmOptions)
            throws IOException {
        this.name = name;
        this.config = dir.resolve(name + ".properties");
        this.log = dir.resolve(name + ".log");
        this.formatLog = dir.resolve(name + "-format.log");
        this.jvmOptions = List.copyOf(jvmOptions);
        Files.writeString(config, String.join("\n", lines) + "\n");
        format = command(List.of("kafka.tools.StorageTool", "format", "-t", clusterId, "-c", config.toString()))
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(formatLog.toFile())).start();
    }

    /** @throws IllegalStateException if formatting failed or took more than 60 s */
    void awaitFormatted() {
        try {
            if (!format.waitFor(60, TimeUnit.SECONDS) || format.exitValue() != 0) {
                format.destroyForcibly();
                throw new IllegalStateException("formatting " + name + " failed; see " + formatLog);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /** Replaces or adds each override in {@code lines}. */
    static void override(List<String> lines, Map<String, String> overrides) {
        overrides.forEach((key, value) -> {
            lines.removeIf(line -> line.startsWith(key + "="));
            lines.add(key + "=" + value);
        });
    }

    /** Starts the process; it must not be running. Does not wait for it to answer. */
    void start() {
        if (process != null) {
            throw new IllegalStateException(name + " is running");
        }
        try {
            process = command(List.of("kafka.Kafka", config.toString()))
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                    .redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** SIGKILL (no clean shutdown), then waits up to 30 s for the process to end. */
    void kill() {
        if (process != null) {
            process.destroyForcibly();
            try {
                process.waitFor(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            process = null;
        }
    }

    boolean isRunning() {
        return process != null && process.isAlive();
    }

    /**
     * Waits until a broker answers a describe-cluster request and, when {@code nodeId >= 0}, lists
     * that node among the live (unfenced) brokers.
     *
     * @param clientProperties {@code bootstrap.servers} (this broker) and any security settings
     * @throws IllegalStateException if the process exits, or the broker does not answer within
     *     {@code seconds}
     */
    void awaitAnswer(Map<String, Object> clientProperties, int nodeId, long seconds) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        Map<String, Object> adminProps = new HashMap<>(clientProperties);
        adminProps.put("request.timeout.ms", "2000");
        adminProps.put("default.api.timeout.ms", "4000");
        try (Admin admin = Admin.create(adminProps)) {
            while (true) {
                if (!isRunning()) {
                    throw new IllegalStateException(name + " exited; see " + log);
                }
                try {
                    var nodes = admin.describeCluster().nodes().get(5, TimeUnit.SECONDS);
                    if (nodeId < 0 ? !nodes.isEmpty() : nodes.stream().mapToInt(Node::id).anyMatch(id -> id == nodeId)) {
                        return;
                    }
                } catch (Exception notYet) {
                    // still starting
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException(name + " did not answer within " + seconds + " s; see " + log);
                }
            }
        }
    }

    /** @return the node's log file */
    Path log() {
        return log;
    }

    private ProcessBuilder command(List<String> mainAndArgs) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(jvmOptions);
        cmd.addAll(List.of("-Dlog4j2.level=WARN", "-cp", System.getProperty("java.class.path")));
        cmd.addAll(mainAndArgs);
        return new ProcessBuilder(cmd);
    }

    /** @return a port on 127.0.0.1 that was free a moment ago */
    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket()) {
            s.setReuseAddress(true);
            s.bind(new InetSocketAddress("127.0.0.1", 0));
            return s.getLocalPort();
        }
    }
}
