package io.eventcore.benchmarks;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The figures of one harness run: printed as a table and written as JSON. */
final class Results {
    /** One figure, optionally against a baseline measured in the same run. */
    record Figure(String name, double value, String unit, String baseline, Double baselineValue, boolean higherIsBetter) {
        Double ratio() {
            if (baselineValue == null || baselineValue == 0) {
                return null;
            }
            return value / baselineValue;
        }
    }

    private final List<Figure> figures = new ArrayList<>();

    /** @return the value of the figure named {@code name} in this run, or empty */
    synchronized java.util.OptionalDouble value(String name) {
        return figures.stream().filter(f -> f.name().equals(name)).mapToDouble(Figure::value).findFirst();
    }

    synchronized void add(String name, double value, String unit) {
        figures.add(new Figure(name, value, unit, null, null, true));
        System.out.printf(Locale.ROOT, "  %-58s %14.1f %s%n", name, value, unit);
    }

    synchronized void add(String name, double value, String unit, String baseline, double baselineValue,
            boolean higherIsBetter) {
        Figure f = new Figure(name, value, unit, baseline, baselineValue, higherIsBetter);
        figures.add(f);
        System.out.printf(Locale.ROOT, "  %-58s %14.1f %s  (vs %s %.1f: ratio %.2f)%n", name, value, unit, baseline,
                baselineValue, f.ratio());
    }

    void printTable() {
        System.out.println();
        System.out.printf("%-58s | %12s | %-8s | %-32s | %12s | %6s%n", "figure", "value", "unit", "baseline",
                "baseline", "ratio");
        System.out.println("-".repeat(145));
        for (Figure f : figures) {
            System.out.printf(Locale.ROOT, "%-58s | %12.1f | %-8s | %-32s | %12s | %6s%n", f.name(), f.value(), f.unit(),
                    f.baseline() == null ? "" : f.baseline(),
                    f.baselineValue() == null ? "" : String.format(Locale.ROOT, "%.1f", f.baselineValue()),
                    f.ratio() == null ? "" : String.format(Locale.ROOT, "%.2f", f.ratio()));
        }
    }

    Path write(Path dir, String mode) {
        StringBuilder json = new StringBuilder("{\n  \"mode\": \"").append(mode).append("\",\n  \"java\": \"")
                .append(System.getProperty("java.version")).append("\",\n  \"cores\": ")
                .append(Runtime.getRuntime().availableProcessors()).append(",\n  \"figures\": [\n");
        for (int i = 0; i < figures.size(); i++) {
            Figure f = figures.get(i);
            json.append(String.format(Locale.ROOT, "    {\"name\": \"%s\", \"value\": %.3f, \"unit\": \"%s\", "
                    + "\"baseline\": %s, \"baseline_value\": %s, \"ratio\": %s}%s%n", f.name(), f.value(), f.unit(),
                    f.baseline() == null ? "null" : "\"" + f.baseline() + "\"",
                    f.baselineValue() == null ? "null" : String.format(Locale.ROOT, "%.3f", f.baselineValue()),
                    f.ratio() == null ? "null" : String.format(Locale.ROOT, "%.3f", f.ratio()),
                    i + 1 < figures.size() ? "," : ""));
        }
        json.append("  ]\n}\n");
        try {
            Files.createDirectories(dir);
            Path file = dir.resolve("results-" + mode + "-" + System.currentTimeMillis() + ".json");
            Files.writeString(file, json);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
