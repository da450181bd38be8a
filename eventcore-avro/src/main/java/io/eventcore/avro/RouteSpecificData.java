package io.eventcore.avro;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificFixed;
import org.apache.avro.specific.SpecificRecord;

/**
 * The specific data model for one route's generated class. It knows the generated classes named in
 * that class's own schema ({@code SCHEMA$}, compiled into the application) and hands them to Avro
 * when it instantiates records, enums and fixed values, so Avro 1.12's class allow-list
 * ({@code org.apache.avro.SERIALIZABLE_PACKAGES}) need not be set for them. Class names are never
 * taken from the wire or from a writer schema: resolution instantiates the reader's types only.
 * Any other class lookup (a {@code java-class} string property, say) goes through Avro's own
 * checks. Logical-type conversions are copied from the class's own model.
 */
final class RouteSpecificData extends SpecificData {
    private final Map<String, Class<?>> classes;

    RouteSpecificData(Class<?> type) {
        super(type.getClassLoader());
        SpecificData model = SpecificData.getForClass(type);
        model.getConversions().forEach(this::addLogicalTypeConversion);
        Map<String, Class<?>> found = new HashMap<>();
        Schema schema = model.getSchema(type);
        found.put(schema.getFullName(), type);
        collect(schema, type.getClassLoader(), found, new HashSet<>());
        this.classes = Map.copyOf(found);
    }

    private static void collect(Schema schema, ClassLoader loader, Map<String, Class<?>> found, Set<String> visited) {
        switch (schema.getType()) {
            case RECORD:
                addClass(schema, loader, found, SpecificRecord.class);
                if (visited.add(schema.getFullName())) { // a recursive type is walked once
                    schema.getFields().forEach(f -> collect(f.schema(), loader, found, visited));
                }
                break;
            case ENUM:
                addClass(schema, loader, found, Enum.class);
                break;
            case FIXED:
                addClass(schema, loader, found, SpecificFixed.class);
                break;
            case ARRAY:
                collect(schema.getElementType(), loader, found, visited);
                break;
            case MAP:
                collect(schema.getValueType(), loader, found, visited);
                break;
            case UNION:
                schema.getTypes().forEach(t -> collect(t, loader, found, visited));
                break;
            default:
                break;
        }
    }

    private static void addClass(Schema schema, ClassLoader loader, Map<String, Class<?>> found, Class<?> kind) {
        if (found.containsKey(schema.getFullName())) {
            return;
        }
        try {
            // Not initialised: only a class of the expected kind is ever handed to Avro.
            Class<?> c = Class.forName(SpecificData.getClassName(schema), false, loader);
            if (kind.isAssignableFrom(c)) {
                found.put(schema.getFullName(), c);
            }
        } catch (ClassNotFoundException e) {
            // No generated class: Avro's own lookup decides (and fails the decode if it must).
        }
    }

    @Override
    public Class<?> getClass(Schema schema) {
        String name = schema.getFullName();
        Class<?> known = name == null ? null : classes.get(name);
        return known != null ? known : super.getClass(schema);
    }
}
