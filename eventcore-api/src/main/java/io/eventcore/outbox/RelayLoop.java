package io.eventcore.outbox;

import java.time.Duration;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The relay thread: runs passes back to back while there is work, waits adaptively ({@link PollBackoff})
 * when idle or failing, and wakes at once on {@link #wakeUp()}. Also owns the hint listener's lifetime.
 * Thread-safe.
 */
final class RelayLoop {
    private static final Logger log = LoggerFactory.getLogger(RelayLoop.class);

    private final String relayId;
    private final RelayPass pass;
    private final RelayStats stats;
    private final RelayHints hints;
    private final Duration minPoll;
    private final Duration maxPoll;

    private final ReentrantLock wakeLock = new ReentrantLock();
    private final Condition wakeUp = wakeLock.newCondition();
    private boolean woken;
    private volatile boolean running;
    private volatile boolean stopping;
    private Thread thread;
    private AutoCloseable hintListener;

    RelayLoop(String relayId, RelayPass pass, RelayStats stats, RelayHints hints, Duration minPoll, Duration maxPoll) {
        this.relayId = relayId;
        this.pass = pass;
        this.stats = stats;
        this.hints = hints;
        this.minPoll = minPoll;
        this.maxPoll = maxPoll;
    }

    /** @throws IllegalStateException if already started or stopped */
    synchronized void start() {
        if (running || stopping) {
            throw new IllegalStateException("relay " + relayId + " was already started");
        }
        running = true;
        hintListener = hints.listen(this::wakeUp);
        thread = new Thread(this::run, "eventcore-outbox-" + relayId);
        thread.setDaemon(true);
        thread.start();
    }

    boolean running() {
        return running;
    }

    void wakeUp() {
        wakeLock.lock();
        try {
            woken = true;
            wakeUp.signalAll();
        } finally {
            wakeLock.unlock();
        }
    }

    /** Stops the thread after its current pass, interrupting it after {@code timeout}. Idempotent. */
    void stop(Duration timeout) {
        Thread t;
        AutoCloseable listener;
        synchronized (this) {
            stopping = true;
            t = thread;
            listener = hintListener;
        }
        wakeUp();
        if (t != null) {
            try {
                t.join(Math.max(1, timeout.toMillis()));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (t.isAlive()) {
                log.warn("relay {} did not finish its batch within {}; interrupting it", relayId, timeout);
                t.interrupt();
            }
        }
        running = false;
        if (listener != null) {
            try {
                listener.close();
            } catch (Exception e) {
                log.debug("closing the hint listener failed", e);
            }
        }
    }

    private void run() {
        PollBackoff backoff = new PollBackoff(minPoll, maxPoll);
        while (!stopping) {
            Duration wait;
            try {
                RelayPass.Result result = pass.exclusively(pass::run);
                if (result.outage()) {
                    wait = backoff.failed();
                } else if (result.rows() > 0) {
                    backoff.busy();
                    continue;
                } else {
                    wait = backoff.idle();
                }
            } catch (RuntimeException e) {
                stats.passFailed(e);
                if (backoff.healthy()) {
                    log.warn("relay {} pass failed; backing off and retrying: {}", relayId, e.toString());
                }
                wait = backoff.failed();
            }
            if (awaitWakeUp(wait)) {
                backoff.wokenUp();
                hints.afterWakeUp();
            }
        }
    }

    private boolean awaitWakeUp(Duration wait) {
        wakeLock.lock();
        try {
            long nanos = wait.toNanos();
            while (!woken && !stopping && nanos > 0) {
                nanos = wakeUp.awaitNanos(nanos);
            }
            boolean wasWoken = woken;
            woken = false;
            return wasWoken;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            stopping = true;
            return false;
        } finally {
            wakeLock.unlock();
        }
    }
}
