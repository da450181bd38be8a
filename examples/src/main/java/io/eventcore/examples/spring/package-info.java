/**
 * The order service as a Spring Boot application on {@code eventcore-spring-boot-starter}: a
 * {@code @Transactional} service writes an order row and appends {@code OrderPlaced} to the outbox, the
 * starter's relay publishes it to Kafka, and a handler bean reserves stock; a poison order is dead-lettered.
 * Run it with {@code ./mvnw -q -DskipTests -Prun-spring-example verify}.
 */
package io.eventcore.examples.spring;
