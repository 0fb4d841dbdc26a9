package dev.seckill.service.store;

import org.springframework.boot.actuate.health.AbstractHealthIndicator;
import org.springframework.boot.actuate.health.Health;
import org.springframework.stereotype.Component;

import java.util.Map;

/**
 * {@code /actuator/health} component "store": up when the store answers; {@code uri} is the node
 * the service talks to (of several, the one that answered this check), {@code nodes} all it may
 * use, and that node's Raft role and the leader it knows. DOWN, with the details, while that
 * node's snapshots fail (INFO {@code snapshot_status:failing}).
 */
@Component("store")
public class StoreHealthIndicator extends AbstractHealthIndicator {
    private final StoreGateway store;

    public StoreHealthIndicator(StoreGateway store) {
        super("the counter-store does not answer");
        this.store = store;
    }

    @Override
    protected void doHealthCheck(Health.Builder health) {
        health.withDetail("uri", store.uri()).withDetail("nodes", store.nodes()); // also when it does not answer
        Map<String, String> replication = store.info("replication");
        health.up().withDetail("uri", store.uri())
                .withDetail("circuitBreaker", store.circuitBreaker().getState().name());
        for (String key : new String[] {"role", "raft_role", "raft_leader", "raft_term"}) {
            String v = replication.get(key);
            if (v != null) {
                health.withDetail(key, v);
            }
        }
        // while snapshots fail the store keeps its whole log: it serves, but its disk fills up
        Map<String, String> persistence = store.info("persistence");
        if ("failing".equals(persistence.get("snapshot_status"))) {
            health.down();
            for (String key : new String[] {"snapshot_status", "snapshot_failures", "snapshot_failing_since",
                    "snapshot_last_error"}) {
                health.withDetail(key, persistence.get(key));
            }
        }
    }
}
