/**
 * eventcore's test kit: an in-memory broker with publisher and consumer
 * ({@link io.eventcore.test.InMemoryBroker}), an in-memory dead-letter sink, a manual clock that
 * drives retry delays without waiting, an {@link io.eventcore.test.EventCollector} to await
 * handled events, real Kafka in child JVMs that fault tests can SIGKILL and restart (one broker:
 * {@link io.eventcore.test.KafkaBrokerProcess}; a controller and three brokers:
 * {@link io.eventcore.test.KafkaClusterProcess}), and the contract suites (TCK) that every SPI
 * implementation passes.
 */
package io.eventcore.test;
