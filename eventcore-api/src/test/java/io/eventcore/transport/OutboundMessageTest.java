package io.eventcore.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.eventcore.Event;
import io.eventcore.EventHeaders;
import io.eventcore.codec.EventCodec;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class OutboundMessageTest {

    record OrderLine(String sku) {
    }

    @Test
    void of_writesTheCodecsContentTypeHeader() {
        OutboundMessage m = OutboundMessage.of("orders", Event.of("k", new OrderLine("a")), EventCodec.json());
        assertThat(m.header(EventHeaders.CONTENT_TYPE)).isEqualTo("application/json");
        assertThat(m.header(EventHeaders.EVENT_TYPE)).isEqualTo("OrderLine");
        assertThat(m.headers()).filteredOn(h -> h.key().equals(EventHeaders.CONTENT_TYPE)).hasSize(1);
    }

    @Test
    void of_eventsOwnContentTypeHeader_doesNotDuplicateTheCodecs() {
        Event<OrderLine> e = Event.of("k", new OrderLine("a")).withHeaders(Map.of(EventHeaders.CONTENT_TYPE, "text/x"));
        OutboundMessage m = OutboundMessage.of("orders", e, EventCodec.json());
        assertThat(m.headers()).filteredOn(h -> h.key().equals(EventHeaders.CONTENT_TYPE)).hasSize(1);
        assertThat(m.header(EventHeaders.CONTENT_TYPE)).isEqualTo("application/json");
    }

    @Test
    void topicNaming_sameStrategyGivesTheSameTopicToPublisherAndRelay() {
        TopicNaming naming = TopicNaming.perAggregate();
        assertThat(naming.topicFor("OrderLineAdded", "OrderLine", "k")).isEqualTo("orderline-events");
        assertThat(TopicNaming.perType("shop.").topicFor("OrderLine", "OrderLine", "k")).isEqualTo("shop.order-line");
        assertThat(TopicNaming.fixed("all").topicFor("X", null, null)).isEqualTo("all");
    }
}
