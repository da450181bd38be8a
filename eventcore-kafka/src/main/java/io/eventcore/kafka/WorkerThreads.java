package io.eventcore.kafka;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The consumer's view of its worker executor: runs tasks on it and knows which threads are in one
 * of its tasks right now, so that {@code close} can interrupt work still running at its bound. A
 * thread is interrupted only while it runs one of these tasks, and its interrupt flag is cleared
 * before it returns to the executor (which may be the user's, shared pool). Thread-safe and without
 * a shared lock: with hundreds of worker threads on few cores, a monitor taken twice per task was
 * held by descheduled threads for milliseconds.
 */
final class WorkerThreads implements Executor {
    private final Executor delegate;
    private final Set<Slot> running = ConcurrentHashMap.newKeySet();

    WorkerThreads(Executor delegate) {
        this.delegate = delegate;
    }

    /** One task on one thread: running, being interrupted, interrupted, or done. */
    private static final class Slot {
        private static final int RUNNING = 0;
        private static final int INTERRUPTING = 1;
        private static final int INTERRUPTED = 2;
        private static final int DONE = 3;
        private final Thread thread = Thread.currentThread();
        private final AtomicInteger state = new AtomicInteger(RUNNING);

        boolean interrupt() {
            if (!state.compareAndSet(RUNNING, INTERRUPTING)) {
                return false;
            }
            thread.interrupt();
            state.set(INTERRUPTED);
            return true;
        }

        /** Ends the task; an interrupt aimed at it is waited for and cleared, so it cannot leak into the pool. */
        void finish() {
            if (state.compareAndSet(RUNNING, DONE)) {
                return;
            }
            while (state.get() == INTERRUPTING) {
                Thread.onSpinWait();
            }
            Thread.interrupted();
        }
    }

    @Override
    public void execute(Runnable task) {
        delegate.execute(() -> {
            Slot slot = new Slot();
            running.add(slot);
            try {
                task.run();
            } finally {
                running.remove(slot);
                slot.finish();
            }
        });
    }

    /** @return how many threads were running a task and got interrupted */
    int interruptRunning() {
        int interrupted = 0;
        for (Slot slot : running) {
            if (slot.interrupt()) {
                interrupted++;
            }
        }
        return interrupted;
    }
}
