package io.eventcore.examples.faults;

import io.eventcore.EventType;

/**
 * The event every fault scenario sends: a unique id, a key and the key's sequence number.
 *
 * @param id unique event id
 * @param key ordering key
 * @param seq the event's position among its key's events, from 0
 * @param poison whether the handler must reject it for good (dead-lettered)
 */
@EventType("Step")
public record Step(String id, String key, int seq, boolean poison) {
}
