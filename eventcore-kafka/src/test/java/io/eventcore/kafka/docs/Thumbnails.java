package io.eventcore.kafka.docs;

// snippet:share
import io.eventcore.kafka.KafkaClientSettings;
import io.eventcore.kafka.KafkaDeadLetterSink;
import io.eventcore.kafka.KafkaShareEventConsumer;
import io.eventcore.retry.RetryMode;
import io.eventcore.retry.RetryPolicy;
import io.eventcore.routing.EventRouter;
import java.time.Duration;

class Thumbnails {
    record ImageUploaded(String imageId, String url) {
    }

    interface Resizer {
        void resize(ImageUploaded image) throws Exception;
    }

    static KafkaShareEventConsumer worker(KafkaClientSettings kafka, Resizer resizer) {
        EventRouter router = EventRouter.builder()
                .route(ImageUploaded.class, (event, ctx) -> resizer.resize(event.payload()))
                // REDELIVER: a failed attempt is released to the group; the broker's delivery count is the attempt
                .retry(RetryPolicy.fixed(Duration.ZERO).maxAttempts(4).mode(RetryMode.REDELIVER))
                .deadLetter(KafkaDeadLetterSink.builder().client(kafka).build())   // images.dlq, original bytes
                .build();
        return KafkaShareEventConsumer.builder().client(kafka)
                .groupId("thumbnails")         // a share group: every instance takes records from every partition
                .topics("images")
                .router(router)
                .maxConcurrency(32)            // per instance; no ordering, not even per key
                .build();
    }
}
// end:share
