package io.eventcore.spring.boot;

/** Test payload. */
public record OrderPlaced(String orderId) {
}
