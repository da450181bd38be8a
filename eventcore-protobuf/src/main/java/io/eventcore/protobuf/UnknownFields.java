package io.eventcore.protobuf;

import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import com.google.protobuf.UnknownFieldSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Looks through a parsed message, nested messages included, for fields the parser could not place.
 * Protobuf parks a field there in two cases: its number is not in the schema (a field the producer
 * added, or one the consumer removed: compatible), or its number is in the schema but it arrived
 * with another wire type (the field's type was changed incompatibly, say {@code string} to
 * {@code int32}). Thread-safe.
 */
final class UnknownFields {
    /** The message-typed fields of each message type: the only ones the walk descends into. */
    private final Map<Descriptor, List<FieldDescriptor>> nested = new ConcurrentHashMap<>();

    private final boolean failOnUnknown;
    private final boolean failOnWireTypeMismatch;

    UnknownFields(boolean failOnUnknown, boolean failOnWireTypeMismatch) {
        this.failOnUnknown = failOnUnknown;
        this.failOnWireTypeMismatch = failOnWireTypeMismatch;
    }

    @Override
    public String toString() {
        return "failOnUnknownFields=" + failOnUnknown + ", failOnWireTypeMismatch=" + failOnWireTypeMismatch;
    }

    /** @return whether {@link #violation} can ever find anything */
    boolean enabled() {
        return failOnUnknown || failOnWireTypeMismatch;
    }

    /**
     * @param message a parsed message
     * @return what is wrong, naming the field's path, or {@code null} when nothing is
     */
    String violation(Message message) {
        String found = find(message);
        return found == null ? null : message.getDescriptorForType().getName() + found;
    }

    /** @return the violation with its path relative to {@code message}, built only once one is found */
    private String find(Message message) {
        UnknownFieldSet unknown = message.getUnknownFields();
        if (!unknown.isEmpty()) {
            Descriptor type = message.getDescriptorForType();
            for (Integer number : unknown.asMap().keySet()) {
                FieldDescriptor known = type.findFieldByNumber(number);
                if (known != null && failOnWireTypeMismatch) {
                    return "." + known.getName() + " (field " + number + ") arrived with another wire type"
                            + " than its schema type " + known.getType() + ": the producer's schema has an"
                            + " incompatible type at that number";
                }
                if (known == null && failOnUnknown) {
                    return " has field number " + number + ", which its schema does not define";
                }
            }
        }
        for (FieldDescriptor field : nested(message.getDescriptorForType())) {
            if (field.isRepeated()) {
                int count = message.getRepeatedFieldCount(field);
                for (int i = 0; i < count; i++) {
                    String found = find((Message) message.getRepeatedField(field, i));
                    if (found != null) {
                        return "." + field.getName() + "[" + i + "]" + found;
                    }
                }
            } else if (message.hasField(field)) {
                String found = find((Message) message.getField(field));
                if (found != null) {
                    return "." + field.getName() + found;
                }
            }
        }
        return null;
    }

    private List<FieldDescriptor> nested(Descriptor type) {
        return nested.computeIfAbsent(type, t -> {
            List<FieldDescriptor> fields = new ArrayList<>();
            for (FieldDescriptor f : t.getFields()) {
                if (f.getJavaType() == FieldDescriptor.JavaType.MESSAGE) {
                    fields.add(f);
                }
            }
            return List.copyOf(fields);
        });
    }
}
