package io.eventcore.spring.boot.docs;

/** The snippet's payload. */
public record OrderPlaced(String orderId, long totalCents) {
}
