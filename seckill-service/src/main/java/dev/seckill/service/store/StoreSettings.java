package dev.seckill.service.store;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

import java.nio.file.Path;
import java.time.Duration;

/**
 * Where the counter-store is. With {@code store.uri} unset the service runs one itself
 * ({@link EmbeddedStore}) and calls it in-process; an external one it reaches over RESP. Either way
 * {@link StoreGateway} is what talks to it.
 *
 * @param uri            an external store, {@code redis://host:port}, or the nodes of its Raft group
 *                       {@code redis://a:7001,redis://b:7002,redis://c:7003} (parsed by inventory-sync's
 *                       {@code StoreNodes}; the service fails over between them); blank: embedded
 * @param embedded       the embedded store's port, bind address and data directory
 * @param commandTimeout how long one store command may take before the call answers 503
 */
@ConfigurationProperties("store")
public record StoreSettings(String uri, @DefaultValue Embedded embedded,
                            @DefaultValue("2s") Duration commandTimeout) {

    public boolean isEmbedded() {
        return uri == null || uri.isBlank();
    }

    /**
     * @param port    RESP port, so redis-cli and the sync CLI reach it (0: a free one)
     * @param bind    address it listens on
     * @param dataDir its Raft log and snapshots
     * @param inProcess the service calls it in-process (true) or over RESP on {@code port} like
     *                  an external store (false: for comparison and tests)
     */
    public record Embedded(@DefaultValue("6380") int port, @DefaultValue("127.0.0.1") String bind,
                           @DefaultValue("./data/counter-store") Path dataDir,
                           @DefaultValue("true") boolean inProcess) {
    }
}
