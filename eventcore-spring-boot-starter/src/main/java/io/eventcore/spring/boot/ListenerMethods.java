package io.eventcore.spring.boot;

import io.eventcore.Event;
import io.eventcore.EventContext;
import io.eventcore.routing.EventRouter;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import org.springframework.aop.scope.ScopedProxyUtils;
import org.springframework.aop.support.AopUtils;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.core.MethodIntrospector;
import org.springframework.core.ResolvableType;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.core.annotation.AnnotationUtils;
import org.springframework.util.ClassUtils;
import org.springframework.util.ReflectionUtils;

/**
 * Finds the {@link EventcoreListener} methods of the application's beans (from their bean definitions' types, so
 * without creating them) and turns each into a route. The bean itself is looked up at the first event, which lets
 * a listener bean depend on the router.
 */
final class ListenerMethods {
    private ListenerMethods() {
    }

    /** One annotated method of one bean. */
    record Found(String beanName, Class<?> beanClass, Method method, EventcoreListener listener) {
    }

    static List<Found> find(ConfigurableListableBeanFactory beans) {
        List<Found> found = new ArrayList<>();
        java.util.Set<String> routed = new java.util.HashSet<>();
        for (String definition : beans.getBeanDefinitionNames()) {
            if (beans.getBeanDefinition(definition).isAbstract()) {
                continue;
            }
            // A scoped bean (request, refresh, ...): its target's class has the methods, its proxy is what is called.
            String name = ScopedProxyUtils.isScopedTarget(definition)
                    ? ScopedProxyUtils.getOriginalBeanName(definition) : definition;
            Class<?> type;
            try {
                type = beans.getType(definition, false);
            } catch (RuntimeException | LinkageError unresolvable) {
                continue;
            }
            if (type == null || !routed.add(name)) {
                continue;
            }
            Class<?> user = ClassUtils.getUserClass(type);
            if (!AnnotationUtils.isCandidateClass(user, EventcoreListener.class)) {
                continue;
            }
            Map<Method, EventcoreListener> methods = MethodIntrospector.selectMethods(user,
                    (MethodIntrospector.MetadataLookup<EventcoreListener>) m ->
                            AnnotatedElementUtils.findMergedAnnotation(m, EventcoreListener.class));
            methods.entrySet().stream().sorted(Map.Entry.comparingByKey(java.util.Comparator.comparing(Method::getName)))
                    .forEach(e -> found.add(new Found(name, user, e.getKey(), e.getValue())));
        }
        return found;
    }

    /** Adds a route per listener method. */
    static void register(EventRouter.Builder builder, BeanFactory beans, List<Found> listeners) {
        for (Found f : listeners) {
            register(builder, beans, f, payloadClass(f));
        }
    }

    private static <T> void register(EventRouter.Builder builder, BeanFactory beans, Found f, Class<T> payload) {
        Invoker invoker = new Invoker(beans, f);
        String name = f.beanClass().getSimpleName() + "#" + f.method().getName();
        String type = f.listener().type();
        if (CompletionStage.class.isAssignableFrom(f.method().getReturnType())) {
            io.eventcore.AsyncEventHandler<T> handler = (event, ctx) -> {
                try {
                    return (CompletionStage<?>) invoker.call(event, ctx);
                } catch (Exception e) {
                    return java.util.concurrent.CompletableFuture.failedFuture(e); // the stage fails, as it would
                }
            };
            if (type.isEmpty()) {
                builder.routeAsync(payload, handler, o -> o.name(name));
            } else {
                builder.routeAsync(type, payload, handler, o -> o.name(name));
            }
        } else {
            io.eventcore.EventHandler<T> handler = invoker::call;
            if (type.isEmpty()) {
                builder.route(payload, handler, o -> o.name(name));
            } else {
                builder.route(type, payload, handler, o -> o.name(name));
            }
        }
    }

    private static Class<?> payloadClass(Found f) {
        Method m = f.method();
        String where = f.beanClass().getName() + "#" + m.getName();
        Class<?>[] params = m.getParameterTypes();
        if (params.length < 1 || params.length > 2 || (params.length == 2 && params[1] != EventContext.class)) {
            throw new IllegalStateException("@EventcoreListener " + where + " must take (payload) or (Event<payload>),"
                    + " optionally followed by an EventContext");
        }
        Class<?> returns = m.getReturnType();
        if (returns != void.class && !CompletionStage.class.isAssignableFrom(returns)) {
            throw new IllegalStateException("@EventcoreListener " + where + " must return void or a CompletionStage,"
                    + " not " + returns.getName());
        }
        // Resolved against the bean's class: a listener inherited from a generic base gets the subclass's type.
        ResolvableType first = ResolvableType.forMethodParameter(m, 0, f.beanClass());
        Class<?> payload = params[0] == Event.class ? first.getGeneric(0).resolve() : first.resolve();
        if (payload != null && payload != Object.class) {
            return payload;
        }
        throw new IllegalStateException("@EventcoreListener " + where + " has no concrete payload class: declare its "
                + "parameter as YourPayload or Event<YourPayload>");
    }

    /** Calls the method on the bean (through its proxy), unwrapping what the method threw. */
    private static final class Invoker {
        private final BeanFactory beans;
        private final Found found;
        private final boolean wholeEvent;
        private final boolean withContext;
        private volatile Object bean;
        private volatile Method invocable;

        Invoker(BeanFactory beans, Found found) {
            this.beans = beans;
            this.found = found;
            this.wholeEvent = found.method().getParameterTypes()[0] == Event.class;
            this.withContext = found.method().getParameterCount() == 2;
        }

        Object call(Event<?> event, EventContext context) throws Exception {
            Object target = bean;
            Method method = invocable;
            if (target == null) {
                target = beans.getBean(found.beanName());
                method = AopUtils.selectInvocableMethod(found.method(), target.getClass());
                ReflectionUtils.makeAccessible(method);
                invocable = method;
                bean = target;
            }
            Object first = wholeEvent ? event : event.payload();
            try {
                return withContext ? method.invoke(target, first, context) : method.invoke(target, first);
            } catch (InvocationTargetException e) {
                Throwable cause = e.getCause();
                if (cause instanceof Exception x) {
                    throw x;
                }
                if (cause instanceof Error x) {
                    throw x;
                }
                throw e;
            }
        }
    }
}
