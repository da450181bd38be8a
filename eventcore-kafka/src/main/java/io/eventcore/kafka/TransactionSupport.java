package io.eventcore.kafka;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.DescribeClusterResult;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.config.ConfigResource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks, when a builder turns transactions on explicitly, that the cluster can host them: a broker cannot
 * create its transaction state log while {@code transaction.state.log.replication.factor} exceeds the number of
 * brokers, and every {@code initTransactions} would then block for {@code max.block.ms} and fail with a timeout
 * that names no cause. A cluster that cannot be reached within the bound is not judged (it may be starting).
 */
final class TransactionSupport {
    private static final Logger log = LoggerFactory.getLogger(TransactionSupport.class);
    static final String TRANSACTION_LOG = "__transaction_state";
    static final String REPLICATION = "transaction.state.log.replication.factor";
    private static final long BOUND_MILLIS = 3000;

    private TransactionSupport() {
    }

    /**
     * @param adminProps connection and security properties
     * @param setting the builder setting that asked for transactions, named in the error
     * @throws IllegalStateException if the cluster cannot host transactions
     */
    static void check(Map<String, Object> adminProps, String setting) {
        Map<String, Object> props = new java.util.HashMap<>(adminProps);
        props.put("request.timeout.ms", (int) BOUND_MILLIS);
        props.put("default.api.timeout.ms", (int) BOUND_MILLIS);
        try (Admin admin = Admin.create(props)) {
            if (admin.listTopics(new org.apache.kafka.clients.admin.ListTopicsOptions().listInternal(true)).names()
                    .get(BOUND_MILLIS, TimeUnit.MILLISECONDS).contains(TRANSACTION_LOG)) {
                return; // transactions ran on this cluster before
            }
            DescribeClusterResult cluster = admin.describeCluster();
            Collection<Node> nodes = cluster.nodes().get(BOUND_MILLIS, TimeUnit.MILLISECONDS);
            if (nodes.isEmpty()) {
                return;
            }
            ConfigResource broker = new ConfigResource(ConfigResource.Type.BROKER,
                    Integer.toString(nodes.iterator().next().id()));
            Config config = admin.describeConfigs(List.of(broker)).all().get(BOUND_MILLIS, TimeUnit.MILLISECONDS)
                    .get(broker);
            ConfigEntry replication = config == null ? null : config.get(REPLICATION);
            if (replication != null && replication.value() != null
                    && Integer.parseInt(replication.value()) > nodes.size()) {
                throw new IllegalStateException(setting + " needs Kafka transactions, but the cluster cannot host "
                        + "them: " + REPLICATION + "=" + replication.value() + " exceeds its " + nodes.size()
                        + " broker(s), so the transaction state log cannot be created. Lower " + REPLICATION
                        + " (and transaction.state.log.min.isr) on the brokers, or turn " + setting + " off");
            }
        } catch (ExecutionException | TimeoutException e) {
            log.warn("could not check that the cluster hosts transactions (for {}): {}", setting, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (org.apache.kafka.common.KafkaException | NumberFormatException e) {
            log.warn("could not check that the cluster hosts transactions (for {}): {}", setting, e.toString());
        }
    }
}
