/**
 * Spring Boot auto-configuration for eventcore: the {@code eventcore.*} properties, handler beans
 * ({@link io.eventcore.spring.boot.EventcoreHandler}), router customizers, and the router and Kafka beans.
 */
package io.eventcore.spring.boot;
