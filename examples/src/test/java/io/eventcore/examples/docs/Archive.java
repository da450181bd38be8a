package io.eventcore.examples.docs;

// snippet:raw
import io.eventcore.routing.EventRouter;
import java.util.Map;

class Archive {
    static EventRouter router(Map<String, byte[]> archive) {
        return EventRouter.builder()
            .routeRaw("OrderArchived", (message, ctx) -> archive.put(message.keyAsString(), message.value()))
            .build();
    }
}
// end:raw
