package io.eventcore.spring.boot.docs;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** What the snippet's handler calls; records charges by event id. */
class Billing {
    final Map<String, OrderPlaced> charged = new ConcurrentHashMap<>();

    void charge(String eventId, OrderPlaced order) {
        charged.putIfAbsent(eventId, order);
    }
}
