package io.eventcore.protobuf;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Descriptors.OneofDescriptor;
import com.google.protobuf.Message;
import com.google.protobuf.WireFormat;
import io.eventcore.Event;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What the codec knows about an envelope message: its oneof, and for each case of the oneof the
 * field, the generated payload class and the event type name of that class. Built once, checked at
 * build time, immutable and thread-safe.
 */
final class EnvelopeSchema {
    /** One case of the oneof: a message-typed field. */
    static final class Case {
        final FieldDescriptor field;
        final Class<? extends Message> payloadClass;
        final String typeName;

        Case(FieldDescriptor field, Class<? extends Message> payloadClass) {
            this.field = field;
            this.payloadClass = payloadClass;
            this.typeName = Event.typeOf(payloadClass);
        }

        @Override
        public String toString() {
            return field.getName() + " (" + field.getMessageType().getFullName() + ")";
        }
    }

    private final Message defaultInstance;
    private final OneofDescriptor oneof;
    private final Map<Class<?>, Case> byClass;
    private final Map<Integer, Case> byNumber;

    private EnvelopeSchema(Message defaultInstance, OneofDescriptor oneof, List<Case> cases) {
        this.defaultInstance = defaultInstance;
        this.oneof = oneof;
        Map<Class<?>, Case> classes = new HashMap<>();
        Map<Integer, Case> numbers = new HashMap<>();
        for (Case c : cases) {
            Case clash = classes.putIfAbsent(c.payloadClass, c);
            if (clash != null) {
                throw new IllegalArgumentException("envelope " + fullName() + ": oneof " + oneof.getName()
                        + " has two cases of message type " + c.field.getMessageType().getFullName() + " ("
                        + clash.field.getName() + ", " + c.field.getName() + "), so a payload of that type has no"
                        + " single field to go in");
            }
            numbers.put(c.field.getNumber(), c);
        }
        this.byClass = Map.copyOf(classes);
        this.byNumber = Map.copyOf(numbers);
    }

    /**
     * @param envelopeClass a generated message class
     * @param oneofName the oneof to use, or {@code null} for the envelope's only oneof
     * @return the schema
     * @throws IllegalArgumentException if the class is not a generated message, has no such oneof
     *     (or several, with no name given), or a case of the oneof is not a message field
     */
    static EnvelopeSchema of(Class<? extends Message> envelopeClass, String oneofName) {
        Message defaultInstance = Messages.defaultInstance(envelopeClass);
        Descriptor descriptor = defaultInstance.getDescriptorForType();
        OneofDescriptor oneof = findOneof(descriptor, oneofName);
        List<Case> cases = new ArrayList<>();
        Message.Builder builder = defaultInstance.newBuilderForType();
        for (FieldDescriptor field : oneof.getFields()) {
            if (field.getJavaType() != FieldDescriptor.JavaType.MESSAGE) {
                throw new IllegalArgumentException("envelope " + descriptor.getFullName() + ": case " + field.getName()
                        + " of oneof " + oneof.getName() + " is a " + field.getType()
                        + ", but every case must be a message (the event payload)");
            }
            Message payloadDefault = builder.newBuilderForField(field).getDefaultInstanceForType();
            cases.add(new Case(field, payloadDefault.getClass()));
        }
        return new EnvelopeSchema(defaultInstance, oneof, cases);
    }

    private static OneofDescriptor findOneof(Descriptor descriptor, String oneofName) {
        List<OneofDescriptor> real = new ArrayList<>();
        for (OneofDescriptor o : descriptor.getRealOneofs()) {
            if (oneofName == null || o.getName().equals(oneofName)) {
                real.add(o);
            }
        }
        if (real.size() == 1) {
            return real.get(0);
        }
        List<String> names = new ArrayList<>();
        descriptor.getRealOneofs().forEach(o -> names.add(o.getName()));
        if (oneofName != null) {
            throw new IllegalArgumentException("envelope " + descriptor.getFullName() + " has no oneof '" + oneofName
                    + "'; its oneofs are " + names);
        }
        throw new IllegalArgumentException("envelope " + descriptor.getFullName() + " must have exactly one oneof"
                + " (or name it: envelope(type, oneofName)), but has " + names);
    }

    String fullName() {
        return defaultInstance.getDescriptorForType().getFullName();
    }

    Class<? extends Message> envelopeClass() {
        return defaultInstance.getClass();
    }

    Message defaultInstance() {
        return defaultInstance;
    }

    /** @return the payload classes of the cases and their type names, in field order */
    Map<Class<? extends Message>, String> typeNames() {
        Map<Class<? extends Message>, String> names = new LinkedHashMap<>();
        for (FieldDescriptor field : oneof.getFields()) {
            Case c = byNumber.get(field.getNumber());
            names.put(c.payloadClass, c.typeName);
        }
        return names;
    }

    /**
     * @param payload a message
     * @return the envelope holding it in its case
     * @throws IllegalArgumentException if no case of the oneof has the payload's class
     */
    Message wrap(Message payload) {
        Case c = byClass.get(payload.getClass());
        if (c == null) {
            throw new IllegalArgumentException("payload " + payload.getClass().getName() + " is no case of oneof "
                    + oneof.getName() + " of envelope " + fullName() + "; its cases are " + cases());
        }
        return defaultInstance.newBuilderForType().setField(c.field, payload).build();
    }

    /**
     * @param envelope a parsed envelope
     * @return the case that is set, or {@code null} when none is (or the producer set one this
     *     schema does not know, which protobuf keeps as an unknown field)
     */
    Case caseOf(Message envelope) {
        FieldDescriptor set = envelope.getOneofFieldDescriptor(oneof);
        return set == null ? null : byNumber.get(set.getNumber());
    }

    Object payloadOf(Message envelope, Case c) {
        return envelope.getField(c.field);
    }

    /**
     * Finds the case on the wire without building the message: the last field of the oneof seen
     * wins, as when parsing. Never throws.
     *
     * @param bytes an encoded envelope
     * @return the type name of the set case, or empty if none is set, the case is unknown here, or
     *     the bytes are no well-formed protobuf
     */
    Optional<String> peekTypeName(byte[] bytes) {
        if (bytes == null || bytes.length == 0) {
            return Optional.empty();
        }
        try {
            CodedInputStream in = CodedInputStream.newInstance(bytes);
            Case found = null;
            int tag;
            while ((tag = in.readTag()) != 0) {
                Case c = byNumber.get(WireFormat.getTagFieldNumber(tag));
                if (c != null && WireFormat.getTagWireType(tag) != WireFormat.WIRETYPE_LENGTH_DELIMITED) {
                    return Optional.empty(); // a case of the oneof with a scalar's wire type: not this schema
                }
                found = c != null ? c : found;
                if (!in.skipField(tag)) {
                    return Optional.empty(); // an end-group tag without its start
                }
            }
            return found == null ? Optional.empty() : Optional.of(found.typeName);
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /** @return the cases, for messages */
    String cases() {
        List<String> names = new ArrayList<>();
        for (FieldDescriptor field : oneof.getFields()) {
            names.add(Objects.toString(byNumber.get(field.getNumber())));
        }
        return names.toString();
    }

    String oneofName() {
        return oneof.getName();
    }

    @Override
    public String toString() {
        return fullName() + " (oneof " + oneof.getName() + ")";
    }
}
