package io.eventcore.outbox;

import io.eventcore.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hints between relay processes, where the store has a {@link HintChannel}: listens for other processes'
 * hints, and after a local wake-up tells the others (a local append may be in a shard another process
 * relays), at most once per minimum poll interval and only while this relay does not hold every shard.
 * {@link #afterWakeUp()} is called by the relay thread only.
 */
final class RelayHints {
    private static final Logger log = LoggerFactory.getLogger(RelayHints.class);

    private final Optional<HintChannel> channel;
    private final boolean sendHints;
    private final ShardLeases leases;
    private final Duration minInterval;
    private final Clock clock;
    private Instant lastHint = Instant.MIN;

    RelayHints(Optional<HintChannel> channel, boolean sendHints, ShardLeases leases, Duration minInterval,
            Clock clock) {
        this.channel = channel;
        this.sendHints = sendHints;
        this.leases = leases;
        this.minInterval = minInterval;
        this.clock = clock;
    }

    /** @return stops listening when closed; does nothing when the store has no channel */
    AutoCloseable listen(Runnable wakeUp) {
        return channel.map(c -> c.listen(wakeUp)).orElse(() -> { });
    }

    void afterWakeUp() {
        if (!sendHints || channel.isEmpty() || leases.holdsAll()) {
            return;
        }
        Instant now = clock.now();
        if (Duration.between(lastHint, now).compareTo(minInterval) >= 0) {
            lastHint = now;
            try {
                channel.get().hintOthers();
            } catch (RuntimeException e) {
                log.debug("could not hint other relays", e);
            }
        }
    }
}
