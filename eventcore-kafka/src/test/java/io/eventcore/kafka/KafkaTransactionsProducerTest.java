package io.eventcore.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

/** The properties of the transactional producers a {@link KafkaTransactions} makes. */
class KafkaTransactionsProducerTest {
    private final List<Map<String, Object>> made = new ArrayList<>();

    private KafkaTransactions transactions(Map<String, Object> publisherProps) {
        return new KafkaTransactions(publisherProps, Map.of(), "eventcore-", null, "eventcore-positions", props -> {
            made.add(props);
            return new MockProducer<>(true, null, new ByteArraySerializer(), new ByteArraySerializer());
        });
    }

    @Test
    void aStreamsProducer_batchesBig_unlessThePublisherSetsItsOwnBatchSize() {
        transactions(Map.of(ProducerConfig.ACKS_CONFIG, "all")).openUnpositioned("outbox-3").close();
        transactions(Map.of(ProducerConfig.BATCH_SIZE_CONFIG, 32_768)).openUnpositioned("outbox-3").close();
        assertThat(made).hasSize(2);
        assertThat(made.get(0)).containsEntry(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "eventcore-outbox-3")
                .containsEntry(ProducerConfig.BATCH_SIZE_CONFIG, 128 * 1024);
        assertThat(made.get(1)).containsEntry(ProducerConfig.BATCH_SIZE_CONFIG, 32_768);
    }
}
