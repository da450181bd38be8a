package io.eventcore.benchmarks;

import io.eventcore.EventType;
import java.math.BigDecimal;
import java.util.List;

/** The benchmark event: an order of about 1.2 KB of JSON. */
final class Payloads {
    private Payloads() {
    }

    /** One order line. */
    record Line(String sku, String name, int quantity, BigDecimal price) {
    }

    /** The event every benchmark sends. */
    @EventType("OrderPlaced")
    record OrderPlaced(String orderId, String customerId, String currency, BigDecimal total, String street,
            String city, String country, List<Line> lines, String note) {
    }

    static OrderPlaced order(String id, int seq) {
        List<Line> lines = List.of(
                new Line("SKU-100234", "Stainless steel water bottle, 750 ml", 2, new BigDecimal("19.90")),
                new Line("SKU-200871", "Merino wool hiking socks, size 42-44", 3, new BigDecimal("14.50")),
                new Line("SKU-300112", "Ultralight rain jacket, colour graphite", 1, new BigDecimal("129.00")),
                new Line("SKU-400556", "Trail running shoes, waterproof, size 43", 1, new BigDecimal("149.95")),
                new Line("SKU-500998", "Insulated coffee mug with leak-proof lid", 2, new BigDecimal("24.99")),
                new Line("SKU-600443", "Compact first aid kit for day hikes", 1, new BigDecimal("34.00")));
        return new OrderPlaced(id, "customer-" + (seq % 997), "EUR", new BigDecimal("482.72"),
                "Hauptstrasse 42, Hinterhaus, 3. Stock links", "Berlin", "DE", lines,
                "Please leave the parcel with the neighbours at number 40 if nobody answers the door. Seq " + seq
                        + ". Gift wrapping for the jacket, no invoice in the parcel.");
    }

    static byte[] json(io.eventcore.codec.EventCodec codec, String id, int seq) {
        return codec.encode(order(id, seq));
    }

}
