package io.eventcore.codec;

import io.eventcore.EventHeaders;
import io.eventcore.InboundMessage;
import java.util.Optional;

/** {@link TypeResolver#standard()}: the {@code event_type} header, else the JSON field. One instance. */
final class StandardTypeResolver implements TypeResolver {
    static final TypeResolver INSTANCE = new StandardTypeResolver();

    private final TypeResolver header = TypeResolver.header(EventHeaders.EVENT_TYPE);
    private final TypeResolver json = TypeResolver.jsonField(EventHeaders.EVENT_TYPE);

    private StandardTypeResolver() {
    }

    @Override
    public Optional<String> resolve(InboundMessage message) {
        Optional<String> fromHeader = header.resolve(message);
        return fromHeader.isPresent() ? fromHeader : json.resolve(message);
    }
}
