/**
 * Micrometer meters for the router, the consumers and the outbox relay
 * ({@link io.eventcore.micrometer.MicrometerMetrics}), and Micrometer Observations of their message
 * operations ({@link io.eventcore.micrometer.MicrometerInstrumentation}). The only package that imports
 * {@code io.micrometer}; Micrometer is an optional dependency, needed only when this package is used.
 */
package io.eventcore.micrometer;
