package io.eventcore.benchmarks;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import jdk.jfr.Configuration;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordingFile;

/**
 * Records a JFR profile (the JDK's "profile" settings) around one run and prints its hottest frames: by
 * self time (the top frame of each execution sample) and by the innermost eventcore frame on the stack, so
 * the library's own cost is visible next to decoding (which shows as the codec's frame).
 */
final class Profiler {
    private Profiler() {
    }

    static <T> T profile(String name, Callable<T> run) throws Exception {
        Path dir = Files.createDirectories(Path.of("target", "benchmarks"));
        Path file = dir.resolve("profile-" + name + "-" + System.currentTimeMillis() + ".jfr");
        T result;
        try (Recording recording = new Recording(Configuration.getConfiguration("profile"))) {
            recording.start();
            result = run.call();
            recording.stop();
            recording.dump(file);
        }
        print(file);
        return result;
    }

    private static void print(Path file) {
        Map<String, Integer> self = new HashMap<>();
        Map<String, Integer> owner = new HashMap<>();
        int total = 0;
        try {
            for (RecordedEvent e : RecordingFile.readAllEvents(file)) {
                if (!e.getEventType().getName().equals("jdk.ExecutionSample") || e.getStackTrace() == null) {
                    continue;
                }
                List<RecordedFrame> frames = e.getStackTrace().getFrames();
                if (frames.isEmpty()) {
                    continue;
                }
                total++;
                self.merge(method(frames.get(0)), 1, Integer::sum);
                List<String> methods = frames.stream().map(Profiler::method).toList();
                owner.merge(methods.stream().filter(m -> m.startsWith("io.eventcore.")).findFirst()
                        .or(() -> methods.stream().filter(m -> m.startsWith("com.fasterxml.")).findFirst())
                        .orElse("(kafka-clients, JDK, other)"), 1, Integer::sum);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        System.out.printf("  JFR profile %s: %d execution samples%n", file.toAbsolutePath(), total);
        System.out.println("  top frames by self time:");
        top(self, total);
        System.out.println("  by the innermost eventcore frame on the stack (else Jackson, else other):");
        top(owner, total);
    }

    private static void top(Map<String, Integer> counts, int total) {
        String lines = counts.entrySet().stream().sorted(Map.Entry.<String, Integer>comparingByValue().reversed())
                .limit(15).map(en -> String.format("    %5.1f%%  %s", 100.0 * en.getValue() / Math.max(1, total),
                        en.getKey())).collect(Collectors.joining("\n"));
        System.out.println(lines);
    }

    private static String method(RecordedFrame f) {
        return f.getMethod().getType().getName() + "." + f.getMethod().getName();
    }
}
