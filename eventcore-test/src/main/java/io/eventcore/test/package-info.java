/**
 * eventcore's test kit: an in-memory broker with publisher and consumer
 * ({@link io.eventcore.test.InMemoryBroker}), an in-memory dead-letter sink, a manual clock that
 * drives retry delays without waiting, an {@link io.eventcore.test.EventCollector} to await
 * handled events, and the contract suites (TCK) that every SPI implementation passes.
 */
package io.eventcore.test;
