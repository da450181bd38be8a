/**
 * Actuator health indicators for eventcore's consumers and outbox relays.
 */
package io.eventcore.spring.boot.health;
