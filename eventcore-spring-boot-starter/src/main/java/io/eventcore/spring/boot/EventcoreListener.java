package io.eventcore.spring.boot;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Makes a method of a Spring bean a route of the auto-configured {@code EventRouter}: one method per event type,
 * any number of them on one bean, the payload class taken from the first parameter.
 *
 * <p>Accepted signatures ({@code P} is the payload class, decoded by the router's codec):
 * <ul>
 *   <li>{@code void m(P payload)} or {@code void m(Event<P> event)}, optionally with an {@link io.eventcore.EventContext}
 *       as the second parameter: a synchronous route;</li>
 *   <li>the same parameters returning a {@link java.util.concurrent.CompletionStage} (or {@code CompletableFuture}):
 *       an asynchronous route, done when the stage completes (bounded by {@code eventcore.router.handler-timeout}).</li>
 * </ul>
 * Anything the method throws follows the router's retry policy: a {@link io.eventcore.NonRetryableException} is
 * dead-lettered at once. The method is called from many threads at once and must be thread-safe and idempotent
 * (delivery is at least once). The route is named {@code <bean class simple name>#<method>} in metrics, logs and
 * dead letters. A signature the starter cannot use fails the application's start-up, naming the method; so do two
 * routes for one event type.
 *
 * <p>Proxied beans ({@code @Transactional} methods, say) are called through their proxy, so the method's own
 * annotations apply.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface EventcoreListener {

    /**
     * @return the event type the method handles; by default the one the payload class maps to
     *     ({@code @EventType}, else its simple name)
     */
    String type() default "";
}
