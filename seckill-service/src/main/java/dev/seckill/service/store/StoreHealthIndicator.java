package dev.seckill.service.store;

import org.springframework.boot.actuate.health.AbstractHealthIndicator;
import org.springframework.boot.actuate.health.Health;
import org.springframework.stereotype.Component;

import java.util.Map;

/**
 * {@code /actuator/health} component "store": up when the store answers; {@code uri} is the node
 * the service talks to (of several, the one that answered this check), {@code nodes} all it may
 * use, and that node's Raft role and the leader it knows.
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
    }
}
