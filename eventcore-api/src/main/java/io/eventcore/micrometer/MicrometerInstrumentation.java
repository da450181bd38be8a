package io.eventcore.micrometer;

import io.eventcore.EventHeaders;
import io.eventcore.InboundMessage;
import io.eventcore.internal.Checks;
import io.eventcore.observation.EventInstrumentation;
import io.eventcore.observation.Observed;
import io.micrometer.common.KeyValues;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import io.micrometer.observation.transport.Kind;
import io.micrometer.observation.transport.ReceiverContext;
import io.micrometer.observation.transport.SenderContext;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link EventInstrumentation} backed by a Micrometer {@link ObservationRegistry}: every operation is one
 * {@link Observation}, named and tagged after the OpenTelemetry messaging semantic conventions (v1.27 and
 * later: {@code messaging.operation.type}, {@code messaging.consumer.group.name}; the span name is
 * {@code "{operation} {destination}"}). With Micrometer Tracing's propagating handlers on the registry, the
 * W3C trace context travels in the {@code traceparent} header: {@code create} and {@code send} inject it,
 * {@code relay} and {@code process} take their parent from it. Needs {@code io.micrometer:micrometer-observation}.
 *
 * <table>
 *   <caption>Observations</caption>
 *   <tr><th>name</th><th>span name</th><th>kind</th><th>where</th></tr>
 *   <tr><td>{@value #PROCESS}</td><td>{@code process <topic>}</td><td>consumer</td><td>the router, per message,
 *       retries included (each retry is an event {@code retry}, counted by Micrometer's default handler as {@code eventcore.process.retry})</td></tr>
 *   <tr><td>{@value #SEND}</td><td>{@code send <topic>}</td><td>producer</td><td>a direct publish</td></tr>
 *   <tr><td>{@value #CREATE}</td><td>{@code create <topic or aggregate type>}</td><td>producer</td><td>an
 *       outbox append</td></tr>
 *   <tr><td>{@value #RELAY}</td><td>{@code send <topic>}</td><td>producer</td><td>the relay sending a row,
 *       child of the context stored with it</td></tr>
 * </table>
 *
 * <p>Low-cardinality key values (tags of any meter the registry derives): {@code messaging.system},
 * {@code messaging.operation.type} ({@code process}, {@code send}, {@code create}), {@code messaging.operation.name},
 * {@code messaging.destination.name}, {@code messaging.consumer.group.name} (process only), {@code eventcore.event.type}
 * (a routed type, else {@value #UNKNOWN_TYPE}), {@code eventcore.outcome} and {@code error.type} (the failure's
 * simple class name, or {@code none}). High-cardinality (span attributes only): {@code messaging.message.id}.
 *
 * <p>Thread-safe. Never throws: a failing observation handler is logged and processing goes on.
 */
public final class MicrometerInstrumentation implements EventInstrumentation {
    /** Observation name of processing a consumed message. */
    public static final String PROCESS = "eventcore.process";
    /** Observation name of a direct publish. */
    public static final String SEND = "eventcore.send";
    /** Observation name of an outbox append. */
    public static final String CREATE = "eventcore.outbox.create";
    /** Observation name of the relay sending a stored row. */
    public static final String RELAY = "eventcore.outbox.relay";
    /** The {@code eventcore.event.type} value of messages no route handles. */
    public static final String UNKNOWN_TYPE = "_unknown";
    /** Default {@code messaging.system}: {@value}. */
    public static final String DEFAULT_MESSAGING_SYSTEM = "kafka";

    private static final Logger log = LoggerFactory.getLogger(MicrometerInstrumentation.class);
    private static final Observation.Event RETRY = Observation.Event.of("retry", "retry");
    private static final Set<String> PROPAGATED = Set.of(EventHeaders.TRACEPARENT, "tracestate", "baggage");

    private final ObservationRegistry registry;
    private final String system;

    private MicrometerInstrumentation(ObservationRegistry registry, String system) {
        this.registry = Objects.requireNonNull(registry, "registry");
        this.system = Checks.notBlank("messagingSystem", system);
    }

    /**
     * @param registry where observations go; with a tracing handler on it they become spans
     * @return instrumentation with {@code messaging.system} {@value #DEFAULT_MESSAGING_SYSTEM}
     */
    public static MicrometerInstrumentation of(ObservationRegistry registry) {
        return new MicrometerInstrumentation(registry, DEFAULT_MESSAGING_SYSTEM);
    }

    /**
     * @param registry where observations go
     * @param messagingSystem the {@code messaging.system} value, not blank, e.g. {@code kafka}
     * @return instrumentation
     * @throws IllegalArgumentException if the messaging system is blank
     */
    public static MicrometerInstrumentation of(ObservationRegistry registry, String messagingSystem) {
        return new MicrometerInstrumentation(registry, messagingSystem);
    }

    @Override
    public Observed process(InboundMessage message, String eventType) {
        ReceiverContext<InboundMessage> context = new ReceiverContext<>(InboundMessage::header, Kind.CONSUMER);
        context.setCarrier(message);
        KeyValues tags = tags("process", message.topic(), eventType);
        if (message.consumerGroup() != null) {
            tags = tags.and("messaging.consumer.group.name", message.consumerGroup());
        }
        return start(PROCESS, "process " + message.topic(), context, tags, message.header(EventHeaders.EVENT_ID), null);
    }

    @Override
    public Observed send(String destination, String eventType, Map<String, String> headers) {
        Map<String, String> carrier = new LinkedHashMap<>();
        SenderContext<Map<String, String>> context = new SenderContext<>(Map::put, Kind.PRODUCER);
        context.setCarrier(carrier);
        return start(SEND, "send " + destination, context, tags("send", destination, eventType),
                headers.get(EventHeaders.EVENT_ID), carrier);
    }

    @Override
    public Observed create(String destination, String eventType) {
        Map<String, String> carrier = new LinkedHashMap<>();
        SenderContext<Map<String, String>> context = new SenderContext<>(Map::put, Kind.PRODUCER);
        context.setCarrier(carrier);
        return start(CREATE, "create " + destination, context, tags("create", destination, eventType), null, carrier);
    }

    @Override
    public Observed relay(String destination, String eventType, Map<String, String> stored) {
        ReceiverContext<Map<String, String>> context = new ReceiverContext<>(Map::get, Kind.PRODUCER);
        context.setCarrier(stored);
        return start(RELAY, "send " + destination, context, tags("send", destination, eventType),
                stored.get(EventHeaders.EVENT_ID), null);
    }

    private KeyValues tags(String operation, String destination, String eventType) {
        return KeyValues.of("messaging.system", system, "messaging.operation.type", operation,
                "messaging.operation.name", operation, "messaging.destination.name", destination,
                "eventcore.event.type", eventType != null ? eventType : UNKNOWN_TYPE);
    }

    private Observed start(String name, String spanName, Observation.Context context, KeyValues tags, String messageId,
            Map<String, String> carrier) {
        try {
            Observation observation = Observation.createNotStarted(name, () -> context, registry)
                    .contextualName(spanName).lowCardinalityKeyValues(tags);
            if (messageId != null) {
                observation.highCardinalityKeyValue("messaging.message.id", messageId);
            }
            observation.start();
            return observation.isNoop() ? Observed.NONE : new Operation(observation, propagated(carrier));
        } catch (RuntimeException e) {
            log.warn("starting observation {} failed", name, e);
            return Observed.NONE;
        }
    }

    /** The trace headers a propagating handler injected, and only those. */
    private static Map<String, String> propagated(Map<String, String> carrier) {
        if (carrier == null || carrier.isEmpty()) {
            return Map.of();
        }
        Map<String, String> kept = new LinkedHashMap<>(carrier);
        kept.keySet().retainAll(PROPAGATED);
        return Collections.unmodifiableMap(kept);
    }

    /** One started observation. */
    private record Operation(Observation observation, Map<String, String> propagation) implements Observed {

        @Override
        public Scope openScope() {
            try {
                Observation.Scope scope = observation.openScope();
                return scope::close;
            } catch (RuntimeException e) {
                log.warn("opening the scope of {} failed", observation, e);
                return Scope.NONE;
            }
        }

        @Override
        public void retried(int attempt, Throwable failure) {
            try {
                observation.event(RETRY);
            } catch (RuntimeException e) {
                log.warn("recording a retry on {} failed", observation, e);
            }
        }

        @Override
        public void stop(String outcome, Throwable failure) {
            try {
                observation.lowCardinalityKeyValue("eventcore.outcome", outcome);
                observation.lowCardinalityKeyValue("error.type",
                        failure == null ? "none" : failure.getClass().getSimpleName());
                if (failure != null) {
                    observation.error(failure);
                }
                observation.stop();
            } catch (RuntimeException e) {
                log.warn("stopping observation {} failed", observation, e);
            }
        }
    }
}
