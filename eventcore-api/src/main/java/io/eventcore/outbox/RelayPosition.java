package io.eventcore.outbox;

import java.util.Collection;
import java.util.Iterator;
import java.util.Optional;
import java.util.TreeSet;

/**
 * What the relay commits with each Kafka transaction of a shard: the fence it held and the ids of the rows
 * the broker has (this transaction's and earlier ones not yet known to be settled in the store). A relay that
 * takes the shard over reads it and settles those rows as published instead of sending them again.
 *
 * <p>Text form: {@code v1;f=<fence>;ids=<first id>,<delta>,<delta>...}, numbers in base 36, ids ascending.
 * Immutable.
 *
 * @param fence the lease fence of the relay that committed it
 * @param ids row ids published and perhaps not yet settled, ascending
 */
record RelayPosition(long fence, TreeSet<Long> ids) {
    private static final String PREFIX = "v1;f=";
    private static final String IDS = ";ids=";

    RelayPosition {
        ids = new TreeSet<>(ids);
    }

    /** @return the text form */
    String encode() {
        return encode(fence, ids);
    }

    static String encode(long fence, Collection<Long> ascendingIds) {
        StringBuilder s = new StringBuilder(PREFIX.length() + IDS.length() + 8 + ascendingIds.size() * 3)
                .append(PREFIX).append(Long.toString(fence, 36)).append(IDS);
        long previous = 0;
        boolean first = true;
        for (Iterator<Long> it = ascendingIds.iterator(); it.hasNext(); first = false) {
            long id = it.next();
            if (!first) {
                s.append(',');
            }
            s.append(Long.toString(first ? id : id - previous, 36));
            previous = id;
        }
        return s.toString();
    }

    /** @return chars one more id adds to the text form at most, for a delta up to {@code delta} */
    static int charsFor(long delta) {
        return 1 + Long.toString(Math.max(0, delta), 36).length();
    }

    /**
     * @param text a text form, or empty
     * @return the position, or empty when there is none
     * @throws IllegalArgumentException if the text is not a position this relay wrote
     */
    static Optional<RelayPosition> decode(Optional<String> text) {
        if (text.isEmpty() || text.get().isEmpty()) {
            return Optional.empty();
        }
        String t = text.get();
        int idsAt = t.indexOf(IDS);
        if (!t.startsWith(PREFIX) || idsAt < 0) {
            throw new IllegalArgumentException("not an outbox relay position: " + t);
        }
        long fence = Long.parseLong(t.substring(PREFIX.length(), idsAt), 36);
        TreeSet<Long> ids = new TreeSet<>();
        String list = t.substring(idsAt + IDS.length());
        long previous = 0;
        if (!list.isEmpty()) {
            for (String part : list.split(",")) {
                previous += Long.parseLong(part, 36);
                ids.add(previous);
            }
        }
        return Optional.of(new RelayPosition(fence, ids));
    }
}
