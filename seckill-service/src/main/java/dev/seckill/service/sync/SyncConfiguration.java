package dev.seckill.service.sync;

import dev.seckill.service.store.StoreConfiguration.StoreLocation;
import dev.seckill.sync.SyncSettings;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.sql.init.dependency.DependsOnDatabaseInitialization;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import javax.sql.DataSource;

/**
 * Runs the inventory sync in-process: the store's change feed written behind to the RDS, exactly
 * once (see inventory-sync). On by default, so the embedded platform keeps its H2 file in step;
 * {@code seckill.sync.enabled=false} when a separate {@code inventory-sync sync} process does it.
 * The sync starts after the Flyway migrations and, depending on the store and the DataSource,
 * stops before either (finishing the batch in hand).
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnProperty(name = "seckill.sync.enabled", havingValue = "true", matchIfMissing = true)
public class SyncConfiguration {

    @Bean(destroyMethod = "close")
    @DependsOnDatabaseInitialization
    public InventorySyncRunner inventorySync(StoreLocation store, DataSource dataSource, MeterRegistry meters,
                                             @Value("${seckill.sync.shard:" + SyncSettings.DEFAULT_SHARD + "}") String shard) {
        // every node, so the sync moves to another when the one it reads from fails
        return new InventorySyncRunner(SyncSettings.of(store.addresses()).withShard(shard), dataSource, meters);
    }

    @Bean
    public SyncHealthIndicator syncHealthIndicator(InventorySyncRunner sync) {
        return new SyncHealthIndicator(sync);
    }
}
