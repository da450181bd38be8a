package io.eventcore.outbox;

import java.time.Duration;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The relay thread: runs passes back to back while there is work, waits adaptively ({@link PollBackoff})
 * when idle or failing, and wakes at once on {@link #wakeUp()}. Also owns the hint listener's lifetime.
 * Idle waits never outlast the next lease renewal, so an idle relay keeps its leases.
 *
 * <p>Only a wake-up by a local append ({@link #appended()}) hints other processes; one by their hint or
 * by {@link #wakeUp()} does not, so two idle relays never keep waking each other.
 *
 * <p>A failed pass ({@link RuntimeException}) is retried after a back-off. Anything else that escapes a
 * pass (an {@link Error} from the store, say: errors of the publisher and the sink are failures of their
 * send or write and never get here) ends the thread, and so does an interrupt; either way
 * {@link #running()} turns false and the stats keep the cause, so the relay reports itself unhealthy.
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
    private boolean wokenByAppend;
    private volatile boolean running;
    private volatile boolean stopping;
    private Thread thread;
    private AutoCloseable hintListener;
    private OutboxSignals signals;
    private Runnable appendListener;
    private Runnable detach = () -> { };

    RelayLoop(String relayId, RelayPass pass, RelayStats stats, RelayHints hints, Duration minPoll, Duration maxPoll) {
        this.relayId = relayId;
        this.pass = pass;
        this.stats = stats;
        this.hints = hints;
        this.minPoll = minPoll;
        this.maxPoll = maxPoll;
    }

    /**
     * Registers for the store's local appends until {@link #stop}. The callback registered holds this loop
     * only until then, even with a store that cannot unregister it.
     */
    synchronized void listenForAppends(OutboxSignals store) {
        RelayLoop[] target = {this};
        signals = store;
        appendListener = () -> {
            RelayLoop loop = target[0];
            if (loop != null) {
                loop.appended();
            }
        };
        detach = () -> target[0] = null;
        store.onAppend(appendListener);
    }

    /** @throws IllegalStateException if already started or stopped */
    synchronized void start() {
        if (running || stopping || thread != null) {
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
        wake(false);
    }

    /** A local append: wakes the thread, which then also hints relays of other processes. */
    void appended() {
        wake(true);
    }

    private void wake(boolean byAppend) {
        wakeLock.lock();
        try {
            woken = true;
            wokenByAppend |= byAppend;
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
            stopListeningForAppends();
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

    private void stopListeningForAppends() {
        detach.run();
        if (appendListener != null) {
            try {
                signals.removeAppendListener(appendListener);
            } catch (RuntimeException e) {
                log.debug("could not unregister the append listener", e);
            }
            appendListener = null;
        }
    }

    private void run() {
        Throwable fatal = null;
        try {
            loop();
        } catch (RuntimeException | Error e) {
            fatal = e;
            log.error("relay {} stopped: its thread died", relayId, e);
        } finally {
            if (fatal != null) {
                stats.stopped("relay thread died: " + fatal);
            } else if (!stopping) {
                // Nothing but an interrupt ends the loop before stop() is called.
                stats.stopped("relay thread interrupted; the relay stopped");
                log.warn("relay {} was interrupted; it stopped", relayId);
            }
            running = false;
        }
    }

    private void loop() {
        PollBackoff backoff = new PollBackoff(minPoll, maxPoll);
        while (!stopping && !Thread.currentThread().isInterrupted()) {
            Duration wait;
            try {
                RelayPass.Result result;
                stats.passStarted();
                try {
                    result = pass.exclusively(pass::run);
                } finally {
                    stats.passEnded();
                }
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
            idle(wait, backoff);
        }
    }

    /**
     * Waits until the next pass is due or a wake-up arrives. Lease renewals that fall due meanwhile
     * renew only: an idle relay keeps its leases without polling for rows before its interval.
     */
    private void idle(Duration wait, PollBackoff backoff) {
        long passDue = System.nanoTime() + wait.toNanos();
        while (!stopping && !Thread.currentThread().isInterrupted()) {
            Duration left = Duration.ofNanos(passDue - System.nanoTime());
            Duration renewal = pass.maintenanceDueIn();
            boolean renewFirst = !renewal.isZero() && renewal.compareTo(left) < 0;
            int woke = awaitWakeUp(renewFirst ? renewal : left);
            if (woke != NOT_WOKEN) {
                backoff.wokenUp();
                if (woke == WOKEN_BY_APPEND) {
                    hints.afterWakeUp();
                }
                return;
            }
            if (!renewFirst) {
                return;
            }
            try {
                pass.exclusively(() -> {
                    pass.maintainLeases();
                    return null;
                });
            } catch (RuntimeException e) {
                stats.passFailed(e);
                return; // the full pass that follows backs off
            }
        }
    }

    private static final int NOT_WOKEN = 0;
    private static final int WOKEN = 1;
    private static final int WOKEN_BY_APPEND = 2;

    private int awaitWakeUp(Duration wait) {
        wakeLock.lock();
        try {
            long nanos = wait.toNanos();
            while (!woken && !stopping && nanos > 0) {
                nanos = wakeUp.awaitNanos(nanos);
            }
            int result = !woken ? NOT_WOKEN : wokenByAppend ? WOKEN_BY_APPEND : WOKEN;
            woken = false;
            wokenByAppend = false;
            return result;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return NOT_WOKEN;
        } finally {
            wakeLock.unlock();
        }
    }
}
