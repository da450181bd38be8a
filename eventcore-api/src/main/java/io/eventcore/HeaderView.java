package io.eventcore;

import java.util.AbstractMap;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * The headers of an {@link InboundMessage} as an unmodifiable string map that decodes nothing until
 * it is read: a key maps to the last non-{@code null} value of the headers with that name (UTF-8
 * decoded), a name whose headers all have {@code null} values is absent, and iteration follows the
 * first occurrence of each name. {@link #get} scans the header list from its end and decodes one
 * value; the whole map is built once, on the first call that needs it (iteration, {@code size},
 * {@code equals}, {@code hashCode}). Every mutator throws {@link UnsupportedOperationException};
 * a {@code null} key or value to look up throws {@link NullPointerException}, as {@link Map#copyOf}'s
 * maps do.
 *
 * <p>Thread-safe: the header list is unmodifiable, and the cached map is published through a final
 * field, so a racing first use at worst builds it twice.
 */
final class HeaderView extends AbstractMap<String, String> {
    private final List<MessageHeader> headers;
    private Map<String, String> all;

    HeaderView(List<MessageHeader> headers) {
        this.headers = headers;
    }

    @Override
    public String get(Object key) {
        Objects.requireNonNull(key, "key"); // as the immutable map it replaces
        for (int i = headers.size() - 1; i >= 0; i--) {
            MessageHeader h = headers.get(i);
            if (h.rawValue() != null && h.key().equals(key)) {
                return h.valueAsString();
            }
        }
        return null;
    }

    @Override
    public boolean containsKey(Object key) {
        Objects.requireNonNull(key, "key");
        for (int i = headers.size() - 1; i >= 0; i--) {
            MessageHeader h = headers.get(i);
            if (h.rawValue() != null && h.key().equals(key)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public boolean isEmpty() {
        for (MessageHeader h : headers) {
            if (h.rawValue() != null) {
                return false;
            }
        }
        return true;
    }

    @Override
    public int size() {
        return all().size();
    }

    @Override
    public boolean containsValue(Object value) {
        return all().containsValue(Objects.requireNonNull(value, "value"));
    }

    @Override
    public Set<Entry<String, String>> entrySet() {
        return all().entrySet();
    }

    @Override
    public Set<String> keySet() {
        return all().keySet();
    }

    private Map<String, String> all() {
        Map<String, String> map = all;
        if (map == null) {
            Map<String, String> built = new LinkedHashMap<>();
            for (MessageHeader h : headers) {
                String v = h.valueAsString();
                if (v != null) {
                    built.put(h.key(), v);
                }
            }
            map = Collections.unmodifiableMap(built);
            all = map;
        }
        return map;
    }

    @Override
    public String put(String key, String value) {
        throw unmodifiable();
    }

    @Override
    public String remove(Object key) {
        throw unmodifiable();
    }

    @Override
    public void putAll(Map<? extends String, ? extends String> m) {
        throw unmodifiable();
    }

    @Override
    public void clear() {
        throw unmodifiable();
    }

    @Override
    public String putIfAbsent(String key, String value) {
        throw unmodifiable();
    }

    @Override
    public boolean remove(Object key, Object value) {
        throw unmodifiable();
    }

    @Override
    public boolean replace(String key, String oldValue, String newValue) {
        throw unmodifiable();
    }

    @Override
    public String replace(String key, String value) {
        throw unmodifiable();
    }

    @Override
    public void replaceAll(BiFunction<? super String, ? super String, ? extends String> function) {
        throw unmodifiable();
    }

    @Override
    public String computeIfAbsent(String key, Function<? super String, ? extends String> mappingFunction) {
        throw unmodifiable();
    }

    @Override
    public String computeIfPresent(String key,
            BiFunction<? super String, ? super String, ? extends String> remappingFunction) {
        throw unmodifiable();
    }

    @Override
    public String compute(String key, BiFunction<? super String, ? super String, ? extends String> remappingFunction) {
        throw unmodifiable();
    }

    @Override
    public String merge(String key, String value,
            BiFunction<? super String, ? super String, ? extends String> remappingFunction) {
        throw unmodifiable();
    }

    private static UnsupportedOperationException unmodifiable() {
        return new UnsupportedOperationException("event headers are unmodifiable");
    }
}
