/**
 * The event model and the handler interfaces: {@link io.eventcore.Event}, {@link io.eventcore.EventType},
 * the raw inbound form a transport hands over ({@link io.eventcore.InboundMessage},
 * {@link io.eventcore.MessageHeader}, the standard header names in {@link io.eventcore.EventHeaders}),
 * {@link io.eventcore.EventHandler} / {@link io.eventcore.AsyncEventHandler} with their
 * {@link io.eventcore.EventContext}, {@link io.eventcore.RawEventHandler} for routes that skip decoding, the exception roots ({@link io.eventcore.EventcoreException},
 * {@link io.eventcore.NonRetryableException}) and the injected time sources
 * ({@link io.eventcore.Clock}, {@link io.eventcore.Scheduler}).
 *
 * <p>Where the rest lives, one package per concern:
 * <ul>
 *   <li>{@code io.eventcore.routing}: the {@code EventRouter}, middleware, dispatch outcomes;</li>
 *   <li>{@code io.eventcore.retry}: {@code RetryPolicy} and {@code RetryMode};</li>
 *   <li>{@code io.eventcore.deadletter}: the {@code DeadLetterSink} SPI and {@code DeadLetter};</li>
 *   <li>{@code io.eventcore.codec}: the {@code EventCodec} and {@code TypeResolver} SPIs, JSON default;</li>
 *   <li>{@code io.eventcore.transport}: publisher and consumer SPIs, outbound messages, topic naming;</li>
 *   <li>{@code io.eventcore.outbox}: the outbox write side, the store-neutral relay and the store SPIs;</li>
 *   <li>{@code io.eventcore.micrometer}: Micrometer meters (the only package importing Micrometer).</li>
 * </ul>
 *
 * <p>This package depends on no other eventcore package, and the module on neither Kafka nor JDBC.
 */
package io.eventcore;
