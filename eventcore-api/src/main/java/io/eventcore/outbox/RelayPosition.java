package io.eventcore.outbox;

import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * What the relay commits with each Kafka transaction of a shard: the fence it held and the rows the broker has
 * (this transaction's and earlier ones not yet known to be settled in the store), each as its id and a short tag
 * of its event id. A relay that takes the shard over reads it and settles those rows as published instead of
 * sending them again, but only rows whose tag matches: ids may be reused (a truncated or re-created table, a
 * restored backup), and a row that merely has a listed id must never be taken for published.
 *
 * <p>Text form: {@code v2;f=<fence>;ids=<first id><tag>,<delta><tag>...}, numbers in base 36, ids ascending, each
 * tag {@value #TAG_CHARS} base-36 chars. Immutable.
 *
 * @param fence the lease fence of the relay that committed it
 * @param rows ids of rows published and perhaps not yet settled, ascending, with their tags
 */
record RelayPosition(long fence, TreeMap<Long, String> rows) {
    private static final String PREFIX = "v2;f=";
    private static final String IDS = ";ids=";
    /** Chars of a row's tag: {@value}, 36^3 = 46,656 values. */
    static final int TAG_CHARS = 3;
    private static final int TAG_RANGE = 36 * 36 * 36;

    RelayPosition {
        rows = new TreeMap<>(rows);
    }

    /** @return the tag of an event id: {@value #TAG_CHARS} base-36 chars of its hash */
    static String tag(String eventId) {
        String t = Integer.toString(Math.floorMod(eventId.hashCode() * 0x9E3779B9, TAG_RANGE), 36);
        return "000".substring(t.length()) + t;
    }

    static String encode(long fence, Map<Long, String> ascending) {
        StringBuilder s = new StringBuilder(PREFIX.length() + IDS.length() + 8 + ascending.size() * 6)
                .append(PREFIX).append(Long.toString(fence, 36)).append(IDS);
        long previous = 0;
        boolean first = true;
        for (Map.Entry<Long, String> row : ascending.entrySet()) {
            if (!first) {
                s.append(',');
            }
            s.append(Long.toString(first ? row.getKey() : row.getKey() - previous, 36)).append(row.getValue());
            previous = row.getKey();
            first = false;
        }
        return s.toString();
    }

    /** @return chars one more row adds to the text form at most, for a delta up to {@code delta} */
    static int charsFor(long delta) {
        return 1 + TAG_CHARS + Long.toString(Math.max(0, delta), 36).length();
    }

    /**
     * @param text a text form, or empty
     * @return the position, or empty when there is none (or one of an older form, whose rows carry no tags and
     *         are therefore not trusted: at worst they are sent again)
     * @throws IllegalArgumentException if the text is not a position this relay wrote
     */
    static Optional<RelayPosition> decode(Optional<String> text) {
        if (text.isEmpty() || text.get().isEmpty() || text.get().startsWith("v1;")) {
            return Optional.empty();
        }
        String t = text.get();
        int idsAt = t.indexOf(IDS);
        if (!t.startsWith(PREFIX) || idsAt < 0) {
            throw new IllegalArgumentException("not an outbox relay position: " + t);
        }
        long fence = Long.parseLong(t.substring(PREFIX.length(), idsAt), 36);
        TreeMap<Long, String> rows = new TreeMap<>();
        String list = t.substring(idsAt + IDS.length());
        long previous = 0;
        if (!list.isEmpty()) {
            for (String part : list.split(",")) {
                int cut = part.length() - TAG_CHARS;
                previous += Long.parseLong(part.substring(0, cut), 36);
                rows.put(previous, part.substring(cut));
            }
        }
        return Optional.of(new RelayPosition(fence, rows));
    }
}
