package io.eventcore.examples.faults;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What a scenario saw: every handling (or delivery) with its time, key and sequence number, and the
 * checks every scenario makes: nothing lost, duplicates counted, the first handling of each key's
 * events in sequence order.
 */
final class Ledger {
    record Entry(long micros, String id, String key, int seq) {
    }

    private final List<Entry> entries = new ArrayList<>();

    void add(Entry e) {
        entries.add(e);
    }

    static Ledger read(Collection<Path> files) {
        Ledger l = new Ledger();
        for (Path f : files) {
            if (!Files.exists(f)) {
                continue;
            }
            try {
                for (String line : Files.readAllLines(f)) {
                    String[] p = line.trim().split(" ");
                    if (p.length == 4) {
                        l.add(new Entry(Long.parseLong(p[0]), p[1], p[2], Integer.parseInt(p[3])));
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return l;
    }

    int size() {
        return entries.size();
    }

    Set<String> ids() {
        Set<String> out = new HashSet<>();
        entries.forEach(e -> out.add(e.id()));
        return out;
    }

    int duplicates() {
        return entries.size() - ids().size();
    }

    /** @return the ids seen more than once, with how many times, in the order first seen */
    Map<String, Integer> duplicated() {
        Map<String, Integer> copies = new LinkedHashMap<>();
        entries.forEach(e -> copies.merge(e.id(), 1, Integer::sum));
        copies.values().removeIf(n -> n == 1);
        return copies;
    }

    /** @return keys whose first handlings are not in increasing sequence order */
    List<String> orderViolations() {
        List<Entry> sorted = new ArrayList<>(entries);
        sorted.sort(Comparator.comparingLong(Entry::micros));
        Set<String> seen = new HashSet<>();
        Map<String, Integer> last = new HashMap<>();
        List<String> bad = new ArrayList<>();
        for (Entry e : sorted) {
            if (!seen.add(e.id())) {
                continue;
            }
            Integer prev = last.put(e.key(), e.seq());
            if (prev != null && prev > e.seq() && !bad.contains(e.key())) {
                bad.add(e.key() + " (" + prev + " before " + e.seq() + ")");
            }
        }
        return bad;
    }
}
