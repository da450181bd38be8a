/**
 * Typed dispatch: the {@link io.eventcore.routing.EventRouter} and its builder, per-route
 * {@link io.eventcore.routing.RouteOptions}, user {@link io.eventcore.routing.Middleware}, the
 * {@link io.eventcore.routing.DispatchResult} / {@link io.eventcore.routing.DispatchOutcome} a
 * transport acts on, the {@link io.eventcore.routing.UnknownTypePolicy}, and the
 * {@link io.eventcore.routing.EventMetrics} callback interface.
 *
 * <p>SPI: {@code Middleware} and {@code EventMetrics} are implemented by users. The built-in stages
 * (observation, dead letter, retry, timeout) are package-private interceptors of one chain whose
 * order the router declares in one place.
 */
package io.eventcore.routing;
