package dev.seckill.sync;

import dev.seckill.sync.feed.StoreClient;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

/**
 * A seeded mix of sales against a real store: reservations (some with a short TTL, so they
 * expire), multi-line reservations, straight sales, confirms, cancels and restocks. Remembers the
 * request ids the store accepted, which are exactly the reservation rows the RDS must end with.
 */
public final class SaleRun {
    private final TestStore store;
    private final Random random;
    private final String prefix;
    private final List<String> skus = new ArrayList<>();
    private final List<String> pending = new ArrayList<>();
    private final Set<String> accepted = new HashSet<>();
    private long next;

    public SaleRun(TestStore store, long seed, String prefix, int skuCount, long stockEach) {
        this.store = store;
        this.random = new Random(seed);
        this.prefix = prefix;
        StoreClient c = store.client();
        for (int i = 0; i < skuCount; i++) {
            String sku = prefix + "-sku-" + i;
            c.create(sku, stockEach);
            skus.add(sku);
        }
    }

    public List<String> skus() {
        return skus;
    }

    /** Request ids the store accepted (reserved or sold). */
    public synchronized Set<String> accepted() {
        return Set.copyOf(accepted);
    }

    /** {@code n} random operations; refusals (sold out, expired...) are part of the mix. */
    public void run(int n) {
        for (int i = 0; i < n; i++) {
            step();
        }
    }

    public synchronized void step() {
        StoreClient c = store.client();
        int dice = random.nextInt(100);
        String sku = skus.get(random.nextInt(skus.size()));
        String user = "user-" + random.nextInt(50);
        String id = prefix + "-req-" + (next++);
        try {
            if (dice < 40) {
                long ttl = switch (random.nextInt(3)) {
                    case 0 -> 0;
                    case 1 -> 150 + random.nextInt(300); // expires during the run
                    default -> 600_000;
                };
                c.reserve(sku, 1 + random.nextInt(3), id, user, ttl);
                accept(id, true);
            } else if (dice < 48) {
                String other = skus.get(random.nextInt(skus.size()));
                String result = store.call("INV.RESERVEALL", id, "USER", user, "TTL", 600_000, "ITEMS", sku, 1, other, 2);
                if ("OK".equals(result)) {
                    accept(id, true);
                }
            } else if (dice < 56) {
                c.deduct(sku, 1 + random.nextInt(2), id, user);
                accept(id, false);
            } else if (dice < 78 && !pending.isEmpty()) {
                store.confirm(pending.remove(random.nextInt(pending.size())));
            } else if (dice < 95 && !pending.isEmpty()) {
                store.cancel(pending.remove(random.nextInt(pending.size())));
            } else {
                c.restock(sku, 1 + random.nextInt(20));
            }
        } catch (io.lettuce.core.RedisCommandExecutionException refused) {
            // SOLDOUT, INSUFFICIENT, EXPIRED...: refusals change no row the sync writes
        }
    }

    private void accept(String id, boolean holds) {
        accepted.add(id);
        if (holds) {
            pending.add(id);
        }
    }
}
