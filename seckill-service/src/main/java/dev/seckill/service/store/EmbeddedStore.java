package dev.seckill.service.store;

import dev.seckill.store.StoreConfig;
import dev.seckill.store.local.LocalClient;
import dev.seckill.store.server.StoreNode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * The counter-store running inside this JVM (a one-node group), for the embedded default. The
 * service calls it in-process ({@link #client()}); it also listens for RESP on {@link #port()}, for
 * redis-cli, the inventory sync and the reconciliation.
 * {@link #close} drains what was accepted, then closes the log.
 */
public final class EmbeddedStore implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedStore.class);

    private final StoreNode node;

    private EmbeddedStore(StoreNode node) {
        this.node = node;
    }

    public static EmbeddedStore start(StoreSettings.Embedded settings) {
        StoreConfig config = StoreConfig.builder().port(settings.port()).dataDir(settings.dataDir())
                .bindHost(settings.bind()).build();
        try {
            return new EmbeddedStore(StoreNode.start(config));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the embedded counter-store in " + settings.dataDir(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while starting the embedded counter-store", e);
        }
    }

    public int port() {
        return node.port();
    }

    /** A client calling the node directly, without a socket. */
    public LocalClient client() {
        return new LocalClient(node);
    }

    @Override
    public void close() {
        LOG.info("closing the embedded counter-store");
        node.close();
    }
}
