package io.eventcore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The transport's no-copy path, and the lazy header view events take over. */
class InboundMessageTest {
    private static final byte[] NO_VALUE = null;

    private static List<MessageHeader> headers() {
        List<MessageHeader> list = new ArrayList<>();
        list.add(MessageHeader.of("event_type", "OrderPlaced"));
        list.add(MessageHeader.of("tenant", "a"));
        list.add(MessageHeader.of("empty", NO_VALUE));
        list.add(MessageHeader.of("tenant", "b"));
        list.add(MessageHeader.of("tenant", NO_VALUE));
        list.add(MessageHeader.of("traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"));
        return list;
    }

    private static InboundMessage message(List<MessageHeader> headers) {
        return InboundMessage.wrap("orders", 1, 7, Instant.EPOCH, "billing", "k-1".getBytes(StandardCharsets.UTF_8),
                "{}".getBytes(StandardCharsets.UTF_8), headers);
    }

    @Test
    void wrap_takesTheArraysOver_whereTheBuilderCopiesThem() {
        byte[] key = "k-1".getBytes(StandardCharsets.UTF_8);
        byte[] value = "{}".getBytes(StandardCharsets.UTF_8);
        byte[] headerValue = "x".getBytes(StandardCharsets.UTF_8);
        InboundMessage wrapped = InboundMessage.wrap("orders", 1, 7, Instant.EPOCH, "billing", key, value,
                List.of(MessageHeader.wrap("h", headerValue)));
        assertThat(wrapped.key()).isSameAs(key);
        assertThat(wrapped.value()).isSameAs(value);
        assertThat(wrapped.rawHeader("h")).isSameAs(headerValue);
        assertThat(wrapped.partition()).isEqualTo(1);
        assertThat(wrapped.offset()).isEqualTo(7);
        assertThat(wrapped.timestamp()).isEqualTo(Instant.EPOCH);
        assertThat(wrapped.consumerGroup()).isEqualTo("billing");

        InboundMessage built = InboundMessage.builder("orders").key(key).value(value)
                .header(MessageHeader.of("h", headerValue)).build();
        assertThat(built.key()).isNotSameAs(key).isEqualTo(key);
        assertThat(built.value()).isNotSameAs(value).isEqualTo(value);
        assertThat(built.rawHeader("h")).isNotSameAs(headerValue).isEqualTo(headerValue);
    }

    @Test
    void wrap_exposesTheHeaderListUnmodifiable() {
        List<MessageHeader> list = headers();
        InboundMessage m = message(list);
        assertThat(m.headers()).isEqualTo(list);
        assertThatThrownBy(() -> m.headers().add(MessageHeader.of("x", "y")))
                .isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void wrap_rejectsWhatTheBuilderRejects() {
        byte[] none = null;
        assertThatThrownBy(() -> InboundMessage.wrap(" ", 0, 0, null, null, none, none, List.of()))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("topic must not be blank");
        assertThatThrownBy(() -> InboundMessage.wrap("t", -1, 0, null, null, none, none, List.of()))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("partition must be >= 0, but was -1");
        assertThatThrownBy(() -> InboundMessage.wrap("t", 0, -2, null, null, none, none, List.of()))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("offset must be >= -1, but was -2");
        assertThatThrownBy(() -> InboundMessage.wrap("t", 0, 0, null, null, none, none, null))
                .isInstanceOf(NullPointerException.class).hasMessage("headers");
        List<MessageHeader> withNull = new ArrayList<>();
        withNull.add(null);
        assertThatThrownBy(() -> InboundMessage.wrap("t", 0, 0, null, null, none, none, withNull))
                .isInstanceOf(NullPointerException.class).hasMessage("header");
    }

    @Test
    void keyAsString_isDecodedOnce() {
        InboundMessage m = message(List.of());
        assertThat(m.keyAsString()).isEqualTo("k-1").isSameAs(m.keyAsString());
        assertThat(InboundMessage.wrap("t", 0, 0, null, null, null, null, List.of()).keyAsString()).isNull();
    }

    @Test
    void headerView_readsAsHeaderMapDoes_lastNonNullValueWins() {
        InboundMessage m = message(headers());
        Map<String, String> view = m.headerView();
        Map<String, String> eager = m.headerMap();
        assertThat(view.get("tenant")).isEqualTo("b").isEqualTo(eager.get("tenant"));
        assertThat(view.get("empty")).isNull();
        assertThat(view.containsKey("empty")).isFalse().isEqualTo(eager.containsKey("empty"));
        assertThat(view.containsKey("tenant")).isTrue();
        assertThat(view.get("absent")).isNull();
        assertThat(view.get(42)).isNull();
        assertThatThrownBy(() -> view.get(null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> view.containsKey(null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> view.containsValue(null)).isInstanceOf(NullPointerException.class);
        assertThat(view.getOrDefault("absent", "d")).isEqualTo("d");
        assertThat(view.size()).isEqualTo(3).isEqualTo(eager.size());
        assertThat(view.isEmpty()).isFalse();
        assertThat(view.keySet()).containsExactly("event_type", "tenant", "traceparent");
        assertThat(view.containsValue("OrderPlaced")).isTrue();
        assertThat(view).isEqualTo(eager).isEqualTo(Map.copyOf(eager)).isEqualTo(new HashMap<>(eager));
        assertThat(eager).isEqualTo(view);
        assertThat(Map.copyOf(eager)).isEqualTo(view);
        assertThat(view.hashCode()).isEqualTo(eager.hashCode()).isEqualTo(Map.copyOf(eager).hashCode());
        assertThat(view.toString()).isEqualTo(new LinkedHashMap<>(eager).toString());
        assertThat(m.headerView()).as("one view per message").isSameAs(view);
    }

    @Test
    void headerView_ofNoOrOnlyNullHeaders_isEmpty() {
        Map<String, String> view = message(List.of(MessageHeader.of("empty", NO_VALUE))).headerView();
        assertThat(view.isEmpty()).isTrue();
        assertThat(view).isEqualTo(Map.of()).hasSize(0);
        assertThat(message(List.of()).headerView()).isEmpty();
    }

    @Test
    void headerView_isUnmodifiable() {
        Map<String, String> view = message(headers()).headerView();
        List<Runnable> mutations = List.of(() -> view.put("a", "b"), () -> view.remove("tenant"),
                () -> view.putAll(Map.of("a", "b")), view::clear, () -> view.putIfAbsent("tenant", "c"),
                () -> view.remove("tenant", "b"), () -> view.replace("tenant", "c"),
                () -> view.replace("tenant", "b", "c"), () -> view.replaceAll((k, v) -> v),
                () -> view.computeIfAbsent("tenant", k -> "c"), () -> view.computeIfPresent("tenant", (k, v) -> v),
                () -> view.compute("tenant", (k, v) -> v), () -> view.merge("tenant", "c", (a, b) -> a),
                () -> view.entrySet().clear(), () -> view.keySet().remove("tenant"),
                () -> view.values().clear(), () -> view.entrySet().iterator().next().setValue("c"));
        for (Runnable mutation : mutations) {
            assertThatThrownBy(mutation::run).isInstanceOf(UnsupportedOperationException.class);
        }
        assertThat(view.get("tenant")).isEqualTo("b");
    }

    @Test
    void event_takesTheHeaderViewOver_andCopiesAnyOtherMap() {
        Map<String, String> view = message(headers()).headerView();
        Event<String> event = new Event<>("id-1", "OrderPlaced", "k-1", Instant.EPOCH, view, "payload");
        assertThat(event.headers()).isSameAs(view);

        Map<String, String> mutable = new HashMap<>(Map.of("tenant", "b"));
        Event<String> copied = event.withHeaders(mutable);
        mutable.put("tenant", "changed");
        assertThat(copied.headers()).containsExactly(Map.entry("tenant", "b"));

        Event<String> same = new Event<>("id-1", "OrderPlaced", "k-1", Instant.EPOCH, Map.copyOf(view), "payload");
        assertThat(event).isEqualTo(same).hasSameHashCodeAs(same);
        assertThat(same).isEqualTo(event);
    }

    @Test
    void messageHeader_wrap_takesTheValueOver_andOf_copiesIt() {
        byte[] value = "v".getBytes(StandardCharsets.UTF_8);
        MessageHeader wrapped = MessageHeader.wrap("h", value);
        MessageHeader copied = MessageHeader.of("h", value);
        value[0] = 'w';
        assertThat(wrapped.valueAsString()).isEqualTo("w");
        assertThat(copied.valueAsString()).isEqualTo("v");
        assertThat(wrapped.valueAsString()).as("decoded once").isSameAs(wrapped.valueAsString());
        assertThat(MessageHeader.wrap("h", null).valueAsString()).isNull();
    }
}
