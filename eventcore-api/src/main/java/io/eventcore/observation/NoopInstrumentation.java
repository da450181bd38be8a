package io.eventcore.observation;

/** {@link EventInstrumentation#noop()}: observes nothing. */
final class NoopInstrumentation implements EventInstrumentation {
    static final EventInstrumentation INSTANCE = new NoopInstrumentation();

    private NoopInstrumentation() {
    }

    @Override
    public String toString() {
        return "EventInstrumentation.noop()";
    }
}
