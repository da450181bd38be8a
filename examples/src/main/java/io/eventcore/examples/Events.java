package io.eventcore.examples;

import java.math.BigDecimal;

/** The order service's events. */
final class Events {
    private Events() {
    }

    /** An order was placed. */
    record OrderCreated(String orderId, String customer, BigDecimal total) {
    }

    /** An order left the warehouse. */
    record OrderShipped(String orderId, String carrier) {
    }

    /** An order was cancelled before shipping. */
    record OrderCancelled(String orderId, String reason) {
    }

    /** A failure that goes away when retried (a flaky downstream). */
    static final class TransientFailure extends RuntimeException {
        private static final long serialVersionUID = 1L;

        TransientFailure(String message) {
            super(message);
        }
    }

    /** A failure that never goes away (the refund service rejects the order for good). */
    static final class PermanentFailure extends io.eventcore.NonRetryableException {
        private static final long serialVersionUID = 1L;

        PermanentFailure(String message) {
            super(message);
        }
    }
}
