package io.eventcore.routing;

import io.eventcore.Event;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The exhaustiveness check of {@link EventRouter.Builder#routesFor(Class)}: every concrete
 * permitted subtype of a declared sealed type, found recursively, needs a route of its type name.
 */
final class SealedRoutes {
    private SealedRoutes() {
    }

    /**
     * @throws IllegalArgumentException if the type is not sealed
     */
    static Class<?> requireSealed(Class<?> type) {
        Objects.requireNonNull(type, "sealedType");
        if (!type.isSealed()) {
            throw new IllegalArgumentException("routesFor(" + type.getName() + "): not a sealed type; declare it "
                    + "'sealed interface' or 'sealed class' with the event types it permits");
        }
        return type;
    }

    /**
     * @throws IllegalStateException listing every uncovered subtype, or naming two subtypes that share a type name
     */
    static void checkCovered(List<Class<?>> sealedTypes, List<RouteSpec<?>> routes) {
        Map<String, RouteSpec<?>> byType = new LinkedHashMap<>();
        routes.forEach(r -> byType.put(r.type(), r));
        for (Class<?> sealed : sealedTypes) {
            Map<String, Class<?>> byName = new LinkedHashMap<>();
            List<String> missing = new ArrayList<>();
            for (Class<?> leaf : leaves(sealed)) {
                String name = Event.typeOf(leaf);
                Class<?> clash = byName.putIfAbsent(name, leaf);
                if (clash != null) {
                    throw new IllegalStateException("routesFor(" + sealed.getSimpleName() + "): " + clash.getName()
                            + " and " + leaf.getName() + " share the event type name '" + name
                            + "'; give one of them a distinct @EventType");
                }
                RouteSpec<?> route = byType.get(name);
                if (route == null) {
                    missing.add(name + " (" + leaf.getName() + ")");
                } else if (route.raw() == null && !route.payloadClass().isAssignableFrom(leaf)) {
                    missing.add(name + " (" + leaf.getName() + "; its route decodes into "
                            + route.payloadClass().getName() + ")");
                }
            }
            if (!missing.isEmpty()) {
                throw new IllegalStateException("routesFor(" + sealed.getSimpleName() + "): no route for "
                        + missing.size() + " of its event types: " + String.join(", ", missing));
            }
        }
    }

    /**
     * The types a value of the sealed type can have: each permitted subtype that is not itself
     * sealed, and each sealed one that is a concrete class (its instances are events too); sealed
     * subtypes are searched in turn. In declaration order, each once.
     */
    static Set<Class<?>> leaves(Class<?> sealed) {
        Set<Class<?>> found = new LinkedHashSet<>();
        if (concrete(sealed)) {
            found.add(sealed);
        }
        collect(sealed, found, new LinkedHashSet<>());
        return found;
    }

    private static void collect(Class<?> type, Set<Class<?>> leaves, Set<Class<?>> seen) {
        if (!seen.add(type)) {
            return;
        }
        for (Class<?> sub : type.getPermittedSubclasses()) {
            if (!sub.isSealed()) {
                leaves.add(sub);
                continue;
            }
            if (concrete(sub)) {
                leaves.add(sub);
            }
            collect(sub, leaves, seen);
        }
    }

    private static boolean concrete(Class<?> type) {
        return !type.isInterface() && !Modifier.isAbstract(type.getModifiers());
    }
}
