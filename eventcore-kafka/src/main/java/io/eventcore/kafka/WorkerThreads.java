package io.eventcore.kafka;

import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.Executor;

/**
 * The consumer's view of its worker executor: runs tasks on it and knows which threads are in one
 * of its tasks right now, so that {@code close} can interrupt work still running at its bound. A
 * thread is interrupted only while it runs one of these tasks, and its interrupt flag is cleared
 * before it returns to the executor (which may be the user's, shared pool). Thread-safe.
 */
final class WorkerThreads implements Executor {
    private final Executor delegate;
    private final Set<Thread> running = new HashSet<>();
    private final Set<Thread> interrupted = new HashSet<>();

    WorkerThreads(Executor delegate) {
        this.delegate = delegate;
    }

    @Override
    public void execute(Runnable task) {
        delegate.execute(() -> {
            Thread self = Thread.currentThread();
            synchronized (this) {
                running.add(self);
            }
            try {
                task.run();
            } finally {
                synchronized (this) {
                    running.remove(self);
                    if (interrupted.remove(self)) {
                        Thread.interrupted();
                    }
                }
            }
        });
    }

    /** @return how many threads were running a task and got interrupted */
    synchronized int interruptRunning() {
        for (Thread t : running) {
            interrupted.add(t);
            t.interrupt();
        }
        return running.size();
    }
}
