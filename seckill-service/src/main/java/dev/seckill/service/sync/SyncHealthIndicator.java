package dev.seckill.service.sync;

import dev.seckill.sync.SyncStatus;
import org.springframework.boot.actuate.health.AbstractHealthIndicator;
import org.springframework.boot.actuate.health.Health;

import java.util.Optional;

/**
 * {@code /actuator/health} component "sync": where the write-behind stands. Down while it has not
 * started, while the database breaker is open, or once stopped; retrying is still up (the store
 * keeps the changes meanwhile).
 */
public class SyncHealthIndicator extends AbstractHealthIndicator {
    private final InventorySyncRunner sync;

    SyncHealthIndicator(InventorySyncRunner sync) {
        super("the inventory sync status is unknown");
        this.sync = sync;
    }

    @Override
    protected void doHealthCheck(Health.Builder health) {
        Optional<SyncStatus> status = sync.status();
        if (status.isEmpty()) {
            health.down().withDetail("state", "NOT_STARTED").withDetail("reason", String.valueOf(sync.notStartedBecause()));
            return;
        }
        SyncStatus s = status.get();
        boolean down = s.state() == SyncStatus.State.CIRCUIT_OPEN || s.state() == SyncStatus.State.STOPPED;
        (down ? health.down() : health.up())
                .withDetail("shard", s.shard())
                .withDetail("state", s.state().name())
                .withDetail("appliedSeq", s.appliedSeq())
                .withDetail("lagChanges", s.lagChanges())
                .withDetail("lagMs", s.lagMs())
                .withDetail("storeNode", s.storeNode());
        if (s.lastError() != null) {
            health.withDetail("lastError", s.lastError());
        }
    }
}
