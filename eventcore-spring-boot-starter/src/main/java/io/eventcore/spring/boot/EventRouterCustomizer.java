package io.eventcore.spring.boot;

import io.eventcore.routing.EventRouter;

/**
 * Adds to the auto-configured router's builder: routes the {@link EventcoreHandler} beans do not
 * cover (raw or asynchronous routes, sealed types), a retry policy, middleware.
 *
 * <p>Customizers run in {@code @Order} order after the handler beans' routes and after the
 * settings the starter makes itself: the dead-letter sink (a {@code DeadLetterSink} bean), metrics
 * (an {@code EventMetrics} bean, {@code MicrometerMetrics} with Micrometer), the codec (an
 * {@code EventCodec} bean), {@code eventcore.router.unknown-type} and {@code eventcore.router.handler-timeout}.
 * The builder rejects a setting made twice ({@link IllegalStateException}), so change those through
 * beans and properties, not here.
 */
@FunctionalInterface
public interface EventRouterCustomizer {

    /**
     * @param builder the router's builder; do not call {@code build()}
     */
    void customize(EventRouter.Builder builder);
}
