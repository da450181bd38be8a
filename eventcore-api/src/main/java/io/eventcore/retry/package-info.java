/**
 * Retry policies: {@link io.eventcore.retry.RetryPolicy} (immutable, bounded by default,
 * classification of failures) and {@link io.eventcore.retry.RetryMode} (in place or by
 * redelivery). No SPI here; the router applies the policy.
 */
package io.eventcore.retry;
