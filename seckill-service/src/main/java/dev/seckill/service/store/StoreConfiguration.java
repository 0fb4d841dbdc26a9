package dev.seckill.service.store;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.github.resilience4j.micrometer.tagged.TaggedCircuitBreakerMetrics;
import dev.seckill.sync.feed.StoreNodes;
import io.lettuce.core.RedisURI;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import java.time.Duration;
import java.util.List;

/**
 * Wires the store: the embedded node when {@code store.uri} is unset, then the gateway to
 * whichever store it is. The gateway depends on the embedded node, so Spring closes the gateway
 * first and the node last (draining what was accepted).
 */
@Configuration(proxyBeanMethods = false)
public class StoreConfiguration {
    private static final Logger LOG = LoggerFactory.getLogger(StoreConfiguration.class);

    /** The embedded node, or a placeholder that holds nothing when the store is external. */
    @Bean(destroyMethod = "close")
    public StoreLocation storeLocation(StoreSettings settings) {
        if (!settings.isEmbedded()) {
            List<RedisURI> nodes;
            try {
                nodes = StoreNodes.parse(settings.uri());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("store.uri: " + e.getMessage()); // the whole story
            }
            LOG.info("using the external counter-store at {}", StoreNodes.describe(nodes));
            return new StoreLocation(nodes, settings.uri().strip(), null);
        }
        EmbeddedStore store = EmbeddedStore.start(settings.embedded());
        RedisURI uri = RedisURI.builder().withHost("127.0.0.1").withPort(store.port()).build();
        return new StoreLocation(List.of(uri), StoreNodes.describe(uri), store);
    }

    /** Opens after 50% failed calls (at least 20 seen), probes again after 2 s. */
    @Bean
    public CircuitBreaker storeCircuitBreaker(ObjectProvider<MeterRegistry> meters) {
        CircuitBreakerRegistry breakers = CircuitBreakerRegistry.ofDefaults();
        // resilience4j_circuitbreaker_state{name="store"} and friends
        TaggedCircuitBreakerMetrics.ofCircuitBreakerRegistry(breakers).bindTo(meters.getObject());
        return breakers.circuitBreaker("store", CircuitBreakerConfig.custom()
                .slidingWindowSize(50)
                .minimumNumberOfCalls(20)
                .failureRateThreshold(50)
                .waitDurationInOpenState(Duration.ofSeconds(2))
                .permittedNumberOfCallsInHalfOpenState(5)
                .automaticTransitionFromOpenToHalfOpenEnabled(true)
                .recordExceptions(StoreUnavailableException.class)
                .build());
    }

    @Bean(destroyMethod = "close")
    public StoreGateway storeGateway(StoreLocation location, StoreSettings settings, CircuitBreaker storeCircuitBreaker,
                                     ObjectProvider<MeterRegistry> meters) {
        location.nodes().forEach(uri -> uri.setTimeout(settings.commandTimeout()));
        if (location.isEmbedded() && settings.embedded().inProcess()) {
            return StoreGateway.inProcess(location.embedded().client(), location.shown(),
                    settings.commandTimeout(), storeCircuitBreaker, meters.getObject());
        }
        return StoreGateway.overResp(location.nodes(), settings.commandTimeout(), storeCircuitBreaker, meters.getObject());
    }

    /**
     * Where the store is, and the embedded node if this JVM runs it.
     *
     * @param nodes     the store's nodes (one for the embedded store), in the order given
     * @param addresses the same as {@code store.uri} gives them, passwords included: what the
     *                  in-process sync and reconciliation connect with
     * @param embedded  null when the store is external
     */
    public record StoreLocation(List<RedisURI> nodes, String addresses, EmbeddedStore embedded) implements AutoCloseable {
        public boolean isEmbedded() {
            return embedded != null;
        }

        /** The nodes as they may be shown: {@code redis://host:port,...}, no password. */
        public String shown() {
            return StoreNodes.describe(nodes);
        }

        @Override
        public void close() {
            if (embedded != null) {
                embedded.close();
            }
        }
    }
}
