package dev.seckill.store;

import dev.seckill.store.ReserveLoad.Request;
import dev.seckill.store.StoreClient.Answer;
import io.lettuce.core.api.async.RedisAsyncCommands;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import static dev.seckill.store.StoreClient.answer;
import static dev.seckill.store.StoreClient.asLong;
import static dev.seckill.store.StoreClient.get;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * What clients know for certain about a store that was stopped under {@link ReserveLoad} (killed or
 * terminated), over all rounds so far, and the checks of how the store must look given it after a
 * restart: acknowledged reservations, refusals and INCRs are there, nothing is oversold, and
 * request ids stay deduplicated, whether they were answered or cut off.
 */
final class AckLedger {
    private final String counterKey;
    private final long restock;
    final Map<String, Long> totals = new LinkedHashMap<>();
    final Map<String, Request> requests = new HashMap<>();
    /** The first answer of each request id, as acknowledged or as learnt by retrying it. */
    final Map<String, Answer> answers = new HashMap<>();
    long incrSent;
    long maxIncrAcked = Long.MIN_VALUE;

    /**
     * @param counterKey the counter the load INCRs
     * @param restock    units added to each SKU of a round to show refusals stay refusals
     */
    AckLedger(String counterKey, long restock) {
        this.counterKey = counterKey;
        this.restock = restock;
    }

    /** Of the requests a stop cut off: which the store had applied, how many the retry applied; the counter. */
    record CutOff(List<String> appliedBeforeStop, int appliedByRetry, int refused, long counter) {}

    /** Checks everything known so far against the restarted store; returns what became of the cut-off requests. */
    CutOff verifyAfterRestart(RedisAsyncCommands<String, String> a, ReserveLoad load, List<String> roundSkus) {
        requests.putAll(load.sent);
        answers.putAll(load.answered);
        incrSent += load.incrSent.get();
        maxIncrAcked = Math.max(maxIncrAcked, load.maxIncrAcked.get());

        // 1. every acknowledged reservation (of every round so far) is there; refusals hold nothing
        Map<String, CompletableFuture<Map<String, Object>>> held = new LinkedHashMap<>();
        answers.keySet().forEach(id -> held.put(id, StoreClient.reservation(a, id)));
        held.forEach((id, f) -> {
            Map<String, Object> r = get(f);
            Request req = requests.get(id);
            if (answers.get(id).ok()) {
                assertThat(r).as("reservation %s acknowledged as %s", id, answers.get(id)).isNotNull();
                assertThat(r.get("state")).as("state of %s", id).isEqualTo("RESERVED");
                assertThat(r.get("sku")).as("sku of %s", id).isEqualTo(req.sku());
                assertThat(asLong(r.get("qty"))).as("qty of %s", id).isEqualTo(req.qty());
            } else {
                assertThat(r).as("refused request %s (%s) holds nothing", id, answers.get(id)).isNull();
            }
        });

        // 2. stock: total unchanged, the sum holds, nothing sold, at least every acknowledged unit reserved
        assertThat(StoreClient.allSkus(a)).containsExactlyInAnyOrderElementsOf(totals.keySet());
        Map<String, Map<String, Long>> before = stock(a);
        Map<String, Long> ackedUnits = reservedUnits();
        before.forEach((sku, s) -> {
            assertThat(s.get("total")).as("total of %s", sku).isEqualTo(totals.get(sku));
            assertInvariant(sku, s);
            assertThat(s.get("sold")).as("sold of %s", sku).isZero();
            assertThat(s.get("reserved")).as("reserved of %s >= acknowledged units", sku)
                    .isGreaterThanOrEqualTo(ackedUnits.getOrDefault(sku, 0L));
        });

        // 3. a retried acknowledged request id gets its first answer and moves nothing
        Map<String, CompletableFuture<?>> retries = new LinkedHashMap<>();
        answers.keySet().forEach(id -> retries.put(id, resend(a, requests.get(id))));
        retries.forEach((id, f) -> assertThat(answer(f)).as("retry of acknowledged %s", id)
                .isEqualTo(answers.get(id)));
        assertThat(stock(a)).as("stock after retrying acknowledged request ids").isEqualTo(before);

        // 4. a request cut off by the crash or stop: if it was applied, its retry gets that answer; if
        //    not, the retry applies it, once (a second retry repeats the first's answer)
        List<String> cut = new ArrayList<>(load.unanswered);
        Map<String, CompletableFuture<Map<String, Object>>> pre = new LinkedHashMap<>();
        cut.forEach(id -> pre.put(id, StoreClient.reservation(a, id)));
        Map<String, CompletableFuture<?>> first = new LinkedHashMap<>();
        cut.forEach(id -> first.put(id, resend(a, requests.get(id))));
        Map<String, CompletableFuture<?>> second = new LinkedHashMap<>();
        cut.forEach(id -> second.put(id, resend(a, requests.get(id))));
        List<String> appliedBefore = new ArrayList<>();
        int appliedNow = 0;
        for (String id : cut) {
            Map<String, Object> p = get(pre.get(id));
            Answer a1 = answer(first.get(id));
            Answer a2 = answer(second.get(id));
            assertThat(a1.ok() || a1.code().equals("SOLDOUT") || a1.code().equals("INSUFFICIENT"))
                    .as("retry of cut-off %s answered %s", id, a1).isTrue();
            assertThat(a2).as("second retry of cut-off %s", id).isEqualTo(a1);
            if (p != null) {
                appliedBefore.add(id);
                assertThat(p.get("state")).as("state of %s applied before the stop", id).isEqualTo("RESERVED");
                assertThat(asLong(p.get("qty"))).isEqualTo(requests.get(id).qty());
                assertThat(a1.ok()).as("retry of %s, applied before the stop, answered %s", id, a1).isTrue();
            } else if (a1.ok()) {
                appliedNow++;
            }
            answers.put(id, a1);
        }
        System.out.printf("  %d cut-off requests: %d had been applied (reserved), %d applied by the retry, "
                + "%d refused or remembered as refused%n", cut.size(), appliedBefore.size(),
                appliedNow, cut.size() - appliedBefore.size() - appliedNow);

        // 5. exact accounting: every unit reserved belongs to exactly one request id that was
        //    answered with success, first time or on retry
        Map<String, Long> expectedReserved = reservedUnits();
        stock(a).forEach((sku, s) -> {
            assertInvariant(sku, s);
            assertThat(s.get("total")).as("total of %s", sku).isEqualTo(totals.get(sku));
            assertThat(s.get("reserved")).as("reserved of %s == units of successful request ids", sku)
                    .isEqualTo(expectedReserved.getOrDefault(sku, 0L));
            assertThat(s.get("sold")).isZero();
        });
        Map<String, CompletableFuture<Map<String, Object>>> resolved = new LinkedHashMap<>();
        cut.forEach(id -> resolved.put(id, StoreClient.reservation(a, id)));
        resolved.forEach((id, f) -> {
            Map<String, Object> r = get(f);
            if (answers.get(id).ok()) {
                assertThat(r).as("reservation %s", id).isNotNull();
                assertThat(r.get("state")).isEqualTo("RESERVED");
            } else {
                assertThat(r).as("refused %s", id).isNull();
            }
        });

        // 6. a refusal stays a refusal even once there is stock again
        for (String sku : roundSkus) {
            long available = get(StoreClient.restock(a, sku, restock));
            totals.merge(sku, restock, Long::sum);
            assertThat(available).isEqualTo(totals.get(sku) - expectedReserved.getOrDefault(sku, 0L));
        }
        Map<String, Map<String, Long>> restocked = stock(a);
        Map<String, CompletableFuture<?>> refusedRetries = new LinkedHashMap<>();
        answers.forEach((id, ans) -> {
            if (!ans.ok()) {
                refusedRetries.put(id, resend(a, requests.get(id)));
            }
        });
        assertThat(refusedRetries).as("refusals to retry").isNotEmpty();
        refusedRetries.forEach((id, f) -> assertThat(answer(f)).as("retry of refused %s after restock", id)
                .isEqualTo(answers.get(id)));
        assertThat(stock(a)).as("stock after retrying refused request ids").isEqualTo(restocked);

        // 7. the counter kept every acknowledged INCR, and no INCR counted twice
        long counter = Long.parseLong(get(a.get(counterKey)));
        assertThat(counter).as("counter vs highest acknowledged INCR").isGreaterThanOrEqualTo(maxIncrAcked);
        assertThat(counter).as("counter vs INCRs sent").isLessThanOrEqualTo(incrSent);
        System.out.printf("  counter %d (highest acknowledged %d, sent %d); %d request ids checked%n",
                counter, maxIncrAcked, incrSent, answers.size());
        return new CutOff(appliedBefore, appliedNow, cut.size() - appliedBefore.size() - appliedNow, counter);
    }

    /**
     * Checks another replica of the group against everything known after {@link #verifyAfterRestart}
     * settled the cut-off requests on the leader: each request id's first answer holds there too
     * (reservations RESERVED, refusals holding nothing), the stock is exactly what the successful
     * request ids account for, retries repeat their first answer and move nothing, and the counter
     * has {@code counter}. Returns the replica's stock per SKU.
     */
    Map<String, Map<String, Long>> verifyReplica(RedisAsyncCommands<String, String> a, String replica, long counter) {
        Map<String, CompletableFuture<Map<String, Object>>> held = new LinkedHashMap<>();
        answers.keySet().forEach(id -> held.put(id, StoreClient.reservation(a, id)));
        held.forEach((id, f) -> {
            Map<String, Object> r = get(f);
            Request req = requests.get(id);
            if (answers.get(id).ok()) {
                assertThat(r).as("%s: reservation %s answered %s", replica, id, answers.get(id)).isNotNull();
                assertThat(r.get("state")).as("%s: state of %s", replica, id).isEqualTo("RESERVED");
                assertThat(r.get("sku")).as("%s: sku of %s", replica, id).isEqualTo(req.sku());
                assertThat(asLong(r.get("qty"))).as("%s: qty of %s", replica, id).isEqualTo(req.qty());
            } else {
                assertThat(r).as("%s: refused %s (%s) holds nothing", replica, id, answers.get(id)).isNull();
            }
        });
        assertThat(StoreClient.allSkus(a)).as("%s: SKUs", replica).containsExactlyInAnyOrderElementsOf(totals.keySet());
        Map<String, Long> expectedReserved = reservedUnits();
        Map<String, Map<String, Long>> before = stock(a);
        before.forEach((sku, s) -> {
            assertInvariant(sku, s);
            assertThat(s.get("total")).as("%s: total of %s", replica, sku).isEqualTo(totals.get(sku));
            assertThat(s.get("reserved")).as("%s: reserved of %s == units of successful request ids", replica, sku)
                    .isEqualTo(expectedReserved.getOrDefault(sku, 0L));
            assertThat(s.get("sold")).as("%s: sold of %s", replica, sku).isZero();
        });
        Map<String, CompletableFuture<?>> retries = new LinkedHashMap<>();
        answers.keySet().forEach(id -> retries.put(id, resend(a, requests.get(id))));
        retries.forEach((id, f) -> assertThat(answer(f)).as("%s: retry of %s", replica, id)
                .isEqualTo(answers.get(id)));
        assertThat(stock(a)).as("%s: stock after retrying every request id", replica).isEqualTo(before);
        assertThat(Long.parseLong(get(a.get(counterKey)))).as("%s: counter %s", replica, counterKey)
                .isEqualTo(counter);
        System.out.printf("  %s agrees: %d request ids, stock %s%n", replica, answers.size(), before);
        return before;
    }

    private Map<String, Long> reservedUnits() {
        Map<String, Long> units = new HashMap<>();
        answers.forEach((id, ans) -> {
            if (ans.ok()) {
                Request r = requests.get(id);
                units.merge(r.sku(), r.qty(), Long::sum);
            }
        });
        return units;
    }

    Map<String, Map<String, Long>> stock(RedisAsyncCommands<String, String> a) {
        Map<String, CompletableFuture<Map<String, Object>>> fs = new LinkedHashMap<>();
        totals.keySet().forEach(sku -> fs.put(sku, StoreClient.stock(a, sku)));
        Map<String, Map<String, Long>> out = new LinkedHashMap<>();
        fs.forEach((sku, f) -> {
            Map<String, Object> m = get(f);
            assertThat(m).as("INV.GET %s", sku).isNotNull();
            Map<String, Long> s = new LinkedHashMap<>();
            m.forEach((k, v) -> s.put(k, asLong(v)));
            out.put(sku, s);
        });
        return out;
    }

    private static CompletableFuture<?> resend(RedisAsyncCommands<String, String> a, Request r) {
        return StoreClient.reserve(a, r.sku(), r.qty(), r.reqId()).toCompletableFuture();
    }

    static void assertInvariant(String sku, Map<String, Long> s) {
        assertThat(s.get("available")).as("available of %s", sku).isNotNegative();
        assertThat(s.get("reserved")).as("reserved of %s", sku).isNotNegative();
        assertThat(s.get("sold")).as("sold of %s", sku).isNotNegative();
        assertThat(s.get("total")).as("total == available + reserved + sold for %s: %s", sku, s)
                .isEqualTo(s.get("available") + s.get("reserved") + s.get("sold"));
    }
}
