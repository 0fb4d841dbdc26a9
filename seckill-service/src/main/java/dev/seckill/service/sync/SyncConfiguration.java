package dev.seckill.service.sync;

import dev.seckill.service.admission.AdmissionControl;
import dev.seckill.service.store.StoreConfiguration.StoreLocation;
import dev.seckill.sync.SyncSettings;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.sql.init.dependency.DependsOnDatabaseInitialization;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import javax.sql.DataSource;
import java.time.Duration;

/**
 * Runs the inventory sync in-process: the store's change feed written behind to the RDS, exactly
 * once (see inventory-sync). On by default, so the embedded platform keeps its H2 file in step;
 * {@code seckill.sync.enabled=false} when a separate {@code inventory-sync sync} process does it.
 * The sync starts after the Flyway migrations and, depending on the store and the DataSource,
 * stops before either (finishing the batch in hand). While purchases are being let through to the
 * store it holds its writes back, up to {@code seckill.sync.yield-to-buyers} (1 s; 0 never) after it
 * last caught up, so the rush of a sale gets the cores.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnProperty(name = "seckill.sync.enabled", havingValue = "true", matchIfMissing = true)
public class SyncConfiguration {

    @Bean(destroyMethod = "close")
    @DependsOnDatabaseInitialization
    public InventorySyncRunner inventorySync(StoreLocation store, DataSource dataSource, MeterRegistry meters,
                                             AdmissionControl admission,
                                             @Value("${seckill.sync.shard:" + SyncSettings.DEFAULT_SHARD + "}") String shard,
                                             @Value("${seckill.sync.yield-to-buyers:1s}") Duration yieldToBuyers) {
        // every node, so the sync moves to another when the one it reads from fails
        SyncSettings settings = SyncSettings.of(store.addresses()).withShard(shard);
        if (!yieldToBuyers.isZero()) {
            // the sync shares this JVM's cores: during a sale's rush its H2/JDBC work per row costs
            // more CPU than the purchase that made the row, so it waits (bounded) for the rush to pass
            settings = settings.withYieldTo(new SyncSettings.YieldToBuyers(admission::buyersArriving, yieldToBuyers));
        }
        return new InventorySyncRunner(settings, dataSource, meters);
    }

    @Bean
    public SyncHealthIndicator syncHealthIndicator(InventorySyncRunner sync) {
        return new SyncHealthIndicator(sync);
    }
}
