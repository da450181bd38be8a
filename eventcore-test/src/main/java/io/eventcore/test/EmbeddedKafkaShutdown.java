package io.eventcore.test;

import org.junit.platform.launcher.LauncherSession;
import org.junit.platform.launcher.LauncherSessionListener;

/**
 * Stops the {@link EmbeddedKafka} broker when the JUnit run ends, before the JVM's shutdown hooks
 * run. Otherwise the broker's shutdown races the hooks that delete its temporary directories; the
 * broker then sees its log directory fail and halts the JVM with a non-zero exit code, which the
 * test runner reports as a crashed fork. Registered through {@code META-INF/services}; does nothing
 * when no broker was started.
 */
public final class EmbeddedKafkaShutdown implements LauncherSessionListener {

    /** Created by the JUnit platform. */
    public EmbeddedKafkaShutdown() {
    }

    @Override
    public void launcherSessionClosed(LauncherSession session) {
        try {
            EmbeddedKafka.stop();
        } catch (RuntimeException e) {
            System.err.println("[eventcore-test] could not stop the embedded Kafka broker: " + e);
        }
    }
}
