package io.eventcore.kafka;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The consumer's own workers on virtual threads (JDK 21+): at most {@code maxConcurrency} tasks run at once, each
 * on a virtual thread that then takes the queued tasks until none is left, so {@code maxConcurrency} keeps its
 * meaning (handlers running at once) while a handler blocked on I/O holds no platform thread.
 *
 * <p>Found at run time through the JDK's public API ({@code Thread.ofVirtual()}): the library stays Java 17
 * bytecode, and on JDK 17 {@link #available()} is {@code false}. Thread-safe and lock-free: nothing here holds a
 * monitor while a task runs, so no carrier thread is pinned by it.
 */
final class VirtualWorkers extends AbstractExecutorService {
    private static final MethodHandle FACTORY = lookUpFactory();

    private final ThreadFactory threads;
    private final int max;
    private final Queue<Runnable> queue = new ConcurrentLinkedQueue<>();
    private final AtomicInteger active = new AtomicInteger();
    private final CountDownLatch terminated = new CountDownLatch(1);
    private final List<Thread> running = new java.util.concurrent.CopyOnWriteArrayList<>();
    private volatile boolean shutdown;

    private VirtualWorkers(ThreadFactory threads, int max) {
        this.threads = threads;
        this.max = max;
    }

    /** @return whether this JVM has virtual threads (JDK 21+) */
    static boolean available() {
        return FACTORY != null;
    }

    /**
     * @param maxConcurrency tasks running at once, &gt;= 1
     * @param namePrefix the threads' name prefix (a counter follows)
     * @return a new executor
     * @throws IllegalStateException if this JVM has no virtual threads
     */
    static VirtualWorkers create(int maxConcurrency, String namePrefix) {
        if (FACTORY == null) {
            throw new IllegalStateException("virtual threads need JDK 21 or later; this is Java "
                    + Runtime.version().feature());
        }
        try {
            return new VirtualWorkers((ThreadFactory) FACTORY.invoke(namePrefix), maxConcurrency);
        } catch (Throwable e) {
            throw new IllegalStateException("could not create a virtual thread factory", e);
        }
    }

    /**
     * The consumer's workers: the given executor, else virtual threads when chosen (or by default, where the JVM
     * has them), else {@code null} (the consumer's own pool of platform threads).
     *
     * @throws IllegalStateException if virtual threads are asked for on a JVM without them
     */
    static java.util.concurrent.Executor choose(java.util.concurrent.Executor given, Boolean virtual, int max,
            String group) {
        if (given != null) {
            if (Boolean.TRUE.equals(virtual)) {
                throw new IllegalStateException("virtualThreads(true) conflicts with executor(...): "
                        + "the given executor runs the handlers");
            }
            return given;
        }
        if (Boolean.TRUE.equals(virtual) && !available()) {
            throw new IllegalStateException("virtualThreads(true) needs JDK 21 or later; this is Java "
                    + Runtime.version().feature());
        }
        boolean chosen = virtual != null ? virtual : available();
        return chosen ? create(max, "eventcore-kafka-worker-" + group + "-v") : null;
    }

    /** {@code prefix -> Thread.ofVirtual().name(prefix, 0).factory()}, or {@code null} before JDK 21. */
    private static MethodHandle lookUpFactory() {
        try {
            MethodHandles.Lookup lookup = MethodHandles.publicLookup();
            Class<?> builder = Class.forName("java.lang.Thread$Builder");
            Class<?> ofVirtual = Class.forName("java.lang.Thread$Builder$OfVirtual");
            MethodHandle of = lookup.findStatic(Thread.class, "ofVirtual", MethodType.methodType(ofVirtual));
            MethodHandle name = lookup.findVirtual(ofVirtual, "name",
                    MethodType.methodType(ofVirtual, String.class, long.class));
            MethodHandle factory = lookup.findVirtual(builder, "factory", MethodType.methodType(ThreadFactory.class));
            // prefix -> factory(name(ofVirtual(), prefix, 0))
            MethodHandle named = MethodHandles.insertArguments(name, 2, 0L); // (OfVirtual, String) -> OfVirtual
            MethodHandle fromPrefix = MethodHandles.collectArguments(named, 0, of); // (String) -> OfVirtual
            return MethodHandles.filterReturnValue(fromPrefix, factory.asType(
                    MethodType.methodType(ThreadFactory.class, ofVirtual)));
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null; // JDK 17 to 20
        }
    }

    @Override
    public void execute(Runnable task) {
        if (shutdown) {
            throw new RejectedExecutionException("the consumer's workers are shut down");
        }
        queue.add(task);
        spawnIfNeeded();
    }

    private void spawnIfNeeded() {
        while (!queue.isEmpty() && !shutdown) {
            int n = active.get();
            if (n >= max) {
                return; // a running worker takes the task when it is done with its own
            }
            if (active.compareAndSet(n, n + 1)) {
                threads.newThread(this::work).start();
                return;
            }
        }
    }

    private void work() {
        Thread self = Thread.currentThread();
        running.add(self);
        try {
            Runnable task;
            while ((task = queue.poll()) != null) { // after shutdown() queued tasks still run
                try {
                    task.run();
                } catch (Throwable t) {
                    self.getUncaughtExceptionHandler().uncaughtException(self, t);
                }
            }
        } finally {
            running.remove(self);
            if (active.decrementAndGet() == 0 && shutdown) {
                terminated.countDown();
            }
        }
        spawnIfNeeded(); // a task queued while this worker was leaving
    }

    @Override
    public void shutdown() {
        shutdown = true;
        if (active.get() == 0) {
            terminated.countDown();
        }
    }

    @Override
    public List<Runnable> shutdownNow() {
        shutdown();
        running.forEach(Thread::interrupt);
        List<Runnable> left = new ArrayList<>(queue);
        queue.clear();
        return left;
    }

    @Override
    public boolean isShutdown() {
        return shutdown;
    }

    @Override
    public boolean isTerminated() {
        return terminated.getCount() == 0;
    }

    @Override
    public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
        return terminated.await(timeout, unit);
    }
}
