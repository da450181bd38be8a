package io.eventcore.spring.boot.internal;

import java.time.Duration;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * Starts a component with the application context and closes it, within a timeout, when the context
 * stops. The component is looked up when the context starts, so the bean that owns this lifecycle
 * needs no eager reference to it; when there is none, starting and stopping do nothing.
 *
 * @param <T> the component type
 */
public final class ManagedLifecycle<T> implements SmartLifecycle {
    private static final Logger LOG = LoggerFactory.getLogger(ManagedLifecycle.class);

    private final String name;
    private final Supplier<T> component;
    private final Consumer<T> start;
    private final CloseAction<T> close;
    private final Duration closeTimeout;
    private final int phase;
    private final boolean autoStartup;
    private T running;

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
     * @param component looks the component up when the context starts; may supply {@code null}
     * @param start starts it
     * @param close closes it within a timeout
     * @param closeTimeout the timeout given to {@code close}
     * @param phase the lifecycle phase (started in ascending, stopped in descending order)
     * @param autoStartup whether the context starts it
     */
    public ManagedLifecycle(String name, Supplier<T> component, Consumer<T> start, CloseAction<T> close,
            Duration closeTimeout, int phase, boolean autoStartup) {
        this.name = Objects.requireNonNull(name, "name");
        this.component = Objects.requireNonNull(component, "component");
        this.start = Objects.requireNonNull(start, "start");
        this.close = Objects.requireNonNull(close, "close");
        this.closeTimeout = Objects.requireNonNull(closeTimeout, "closeTimeout");
        this.phase = phase;
        this.autoStartup = autoStartup;
    }

    @Override
    public synchronized void start() {
        if (running != null) {
            return;
        }
        T target = component.get();
        if (target == null) {
            LOG.debug("no {} to start", name);
            return;
        }
        start.accept(target);
        running = target;
        LOG.info("started {}", name);
    }

    @Override
    public synchronized void stop() {
        if (running == null) {
            return;
        }
        try {
            close.close(running, closeTimeout);
            LOG.info("stopped {}", name);
        } finally {
            running = null;
        }
    }

    @Override
    public synchronized boolean isRunning() {
        return running != null;
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
