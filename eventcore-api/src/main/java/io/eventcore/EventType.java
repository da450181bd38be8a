package io.eventcore;


import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Names the wire type of a payload class. {@code EventRouter.Builder.route(Class, handler)} uses
 * this value, or the class's simple name when the annotation is absent
 * (see {@link Event#typeOf(Class)}).
 *
 * <pre>{@code
 * @EventType("OrderCreated")
 * public record OrderCreated(String orderId, BigDecimal total) {}
 * }</pre>
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
public @interface EventType {
    /** @return the event type string carried in the {@code event_type} header */
    String value();

}
