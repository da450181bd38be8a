package io.eventcore.examples.spring;

/**
 * An order was placed: the event {@link Orders} appends to the outbox and {@link StockReservation} handles.
 *
 * @param orderId the order, also the event's key
 * @param sku the article ordered
 * @param quantity how many; a quantity below 1 makes the order poison (dead-lettered, never retried)
 */
public record OrderPlaced(String orderId, String sku, int quantity) {
}
