/**
 * Micrometer meters for the router and the outbox relay
 * ({@link io.eventcore.micrometer.MicrometerMetrics}). The only package that imports
 * {@code io.micrometer}; Micrometer is an optional dependency, needed only when this package is used.
 */
package io.eventcore.micrometer;
