package dev.seckill.service.admin;

import dev.seckill.service.store.StoreConfiguration.StoreLocation;
import dev.seckill.service.store.StoreGateway;
import dev.seckill.sync.SyncSettings;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.config.MeterFilter;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.servlet.config.annotation.ViewControllerRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

import javax.sql.DataSource;

/**
 * The admin dashboard: its page under {@code /admin/} (plain files in {@code static/admin}, no
 * token needed), its data under {@code /admin/api/} (admin token, see {@code AccessRules}), and the
 * sampler that turns running totals into per-second figures.
 */
@Configuration(proxyBeanMethods = false)
public class AdminConfiguration implements WebMvcConfigurer {

    @Bean
    public MeterFilter purchaseLatencyPercentiles() {
        return PurchaseLatency.percentilesFilter();
    }

    @Bean(initMethod = "start", destroyMethod = "close")
    public DashboardSampler dashboardSampler(MeterRegistry registry, StoreGateway store) {
        // INFO default: role, leader, log indexes and the feed backlog in one round trip
        return new DashboardSampler(registry, () -> store.info("default"), store::uri);
    }

    @Bean
    public ReconciliationPanel reconciliationPanel(StoreLocation store, DataSource dataSource,
                                                   @Value("${seckill.sync.shard:" + SyncSettings.DEFAULT_SHARD + "}") String shard) {
        return new ReconciliationPanel(store.addresses(), dataSource, shard);
    }

    @Override
    public void addViewControllers(ViewControllerRegistry registry) {
        registry.addRedirectViewController("/admin", "/admin/");
        registry.addViewController("/admin/").setViewName("forward:/admin/index.html");
    }
}
