/**
 * Validation of decoded payloads: {@link io.eventcore.validation.BeanValidation} runs Jakarta Bean
 * Validation as a router middleware; a payload that breaks a constraint is dead-lettered at once
 * with its violations ({@link io.eventcore.Violation}) in the
 * {@code eventcore_dlq_violations} header.
 */
package io.eventcore.validation;
