package io.eventcore.spring.boot.internal;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * Starts components with the application context and closes them, each within a timeout and in reverse
 * order, when the context stops. The components are looked up when the context starts, so the bean that
 * owns this lifecycle needs no eager reference to them; when there are none, starting and stopping do nothing.
 *
 * @param <T> the component type
 */
public final class ManagedLifecycle<T> implements SmartLifecycle {
    private static final Logger LOG = LoggerFactory.getLogger(ManagedLifecycle.class);

    private final String name;
    private final Supplier<List<T>> components;
    private final Consumer<T> start;
    private final CloseAction<T> close;
    private final Duration closeTimeout;
    private final int phase;
    private final boolean autoStartup;
    private final List<T> running = new ArrayList<>();

    /**
     * How a component closes.
     *
     * @param <T> the component type
     */
    @FunctionalInterface
    public interface CloseAction<T> {
        /**
         * @param component the running component
         * @param timeout the bound of the close
         */
        void close(T component, Duration timeout);
    }

    /**
     * @param name what is managed, for logs
     * @param components looks the components up when the context starts
     * @param start starts it
     * @param close closes it within a timeout
     * @param closeTimeout the timeout given to {@code close}
     * @param phase the lifecycle phase (started in ascending, stopped in descending order)
     * @param autoStartup whether the context starts it
     */
    public ManagedLifecycle(String name, Supplier<List<T>> components, Consumer<T> start, CloseAction<T> close,
            Duration closeTimeout, int phase, boolean autoStartup) {
        this.name = Objects.requireNonNull(name, "name");
        this.components = Objects.requireNonNull(components, "components");
        this.start = Objects.requireNonNull(start, "start");
        this.close = Objects.requireNonNull(close, "close");
        this.closeTimeout = Objects.requireNonNull(closeTimeout, "closeTimeout");
        this.phase = phase;
        this.autoStartup = autoStartup;
    }

    @Override
    public synchronized void start() {
        if (!running.isEmpty()) {
            return;
        }
        for (T target : components.get()) {
            start.accept(target);
            running.add(target);
            LOG.info("started {} {}", name, target);
        }
    }

    @Override
    public synchronized void stop() {
        RuntimeException failure = null;
        for (int i = running.size() - 1; i >= 0; i--) {
            T target = running.get(i);
            try {
                close.close(target, closeTimeout);
                LOG.info("stopped {} {}", name, target);
            } catch (RuntimeException e) {
                // Close the others anyway; report the first failure.
                failure = failure == null ? e : failure;
            }
        }
        running.clear();
        if (failure != null) {
            throw failure;
        }
    }

    @Override
    public synchronized boolean isRunning() {
        return !running.isEmpty();
    }

    @Override
    public int getPhase() {
        return phase;
    }

    @Override
    public boolean isAutoStartup() {
        return autoStartup;
    }

    @Override
    public String toString() {
        return "ManagedLifecycle[" + name + "]";
    }
}
