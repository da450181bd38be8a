package io.eventcore.examples.faults;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A worker in its own JVM, on this test's classpath, that can be killed with SIGKILL or paused with SIGSTOP.
 * Its stdout and stderr go to its log file, which {@link #lines} and {@link #awaitLine} read back.
 */
final class ChildJvm implements AutoCloseable {
    private final Process process;
    private final String name;
    private final Path log;

    private ChildJvm(String name, Process process, Path log) {
        this.name = name;
        this.process = process;
        this.log = log;
    }

    static ChildJvm start(String name, Path log, Class<?> main, String... args) {
        return start(name, log, List.of(), main, args);
    }

    /** As {@link #start(String, Path, Class, String...)}, with more JVM options (system properties, say). */
    static ChildJvm start(String name, Path log, List<String> jvmOptions, Class<?> main, String... args) {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-XX:+UseSerialGC"));
        cmd.addAll(jvmOptions);
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), main.getName()));
        cmd.addAll(List.of(args));
        try {
            return new ChildJvm(name, new ProcessBuilder(cmd).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start(), log);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** SIGKILL: no shutdown hooks, no final commit. */
    void kill() {
        process.destroyForcibly();
        waitFor();
    }

    /** SIGTERM: shutdown hooks run (graceful close). A paused process is resumed first, so that it can. */
    void stop() {
        if (paused()) {
            resume();
        }
        process.destroy();
        waitFor();
    }

    /** SIGSTOP: every thread of the JVM freezes where it is, until {@link #resume}; returns once it has. */
    void pause() {
        signal("STOP");
        FaultKit.await(name + " stopped", Duration.ofSeconds(10), this::paused);
    }

    /** SIGCONT: a paused JVM carries on where it was. */
    void resume() {
        signal("CONT");
        FaultKit.await(name + " running again", Duration.ofSeconds(10), () -> !paused());
    }

    /** @return whether the process is stopped by a signal (state {@code T} in {@code /proc/<pid>/stat}) */
    boolean paused() {
        try {
            String stat = Files.readString(Path.of("/proc", String.valueOf(process.pid()), "stat"));
            // pid (comm) state ...: the command may hold spaces or parentheses, the state follows the last ')'
            return process.isAlive() && stat.substring(stat.lastIndexOf(')') + 2).startsWith("T");
        } catch (IOException gone) {
            return false;
        }
    }

    boolean alive() {
        return process.isAlive();
    }

    /** @return the lines of the child's output that start with {@code prefix}, in order */
    List<String> lines(String prefix) {
        if (!Files.exists(log)) {
            return List.of();
        }
        try {
            // Lenient decoding: a line being written may end in half a character.
            return new String(Files.readAllBytes(log), StandardCharsets.UTF_8).lines()
                    .filter(l -> l.startsWith(prefix)).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** @return the first line of the child's output that starts with {@code prefix}, once there is one */
    String awaitLine(String prefix, Duration deadline) {
        AtomicReference<String> line = new AtomicReference<>();
        FaultKit.await(name + " prints a line starting with '" + prefix + "' (see " + log + ")", deadline, () -> {
            List<String> found = lines(prefix);
            if (!found.isEmpty()) {
                line.set(found.get(0));
            }
            return line.get() != null;
        });
        return line.get();
    }

    private void signal(String signal) {
        try {
            Process kill = new ProcessBuilder("kill", "-" + signal, String.valueOf(process.pid())).inheritIO().start();
            if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
                throw new IllegalStateException("kill -" + signal + " " + process.pid() + " (" + name + ") failed");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while signalling " + name, e);
        }
    }

    private void waitFor() {
        try {
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            kill();
        }
    }

    @Override
    public String toString() {
        return name;
    }
}
