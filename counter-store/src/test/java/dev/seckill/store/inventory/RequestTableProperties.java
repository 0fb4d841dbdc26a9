package dev.seckill.store.inventory;

import static org.assertj.core.api.Assertions.assertThat;

import dev.seckill.store.protocol.Reply;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.RandomDistribution;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * The book's request table against a {@link HashMap}: the same mappings after any sequence of
 * puts (a new reservation, also under an id in use; {@code putNew} where the id is free) and removals of a reservation itself, across
 * several growths of the table; and every frozen view keeps what the table mapped when it was
 * frozen, however the table changed after (its chunks are copy on write).
 */
class RequestTableProperties {

    /** One step: put a new reservation under id {@code id}, or remove the {@code back}-th latest one put. */
    record Step(boolean put, int id, int back) {}

    @Property(tries = 60)
    void mapsLikeAHashMap(@ForAll("steps") List<Step> steps) {
        RequestTable table = new RequestTable();
        Map<String, Reservation> model = new HashMap<>();
        List<Reservation> made = new ArrayList<>();
        List<RequestTable.Frozen> frozen = new ArrayList<>();
        List<List<Reservation>> mappedThen = new ArrayList<>();
        for (Step s : steps) {
            if (s.back() == 0 && frozen.size() < 20) {
                frozen.add(table.freeze());
                mappedThen.add(new ArrayList<>(model.values()));
            }
            if (s.put() || made.isEmpty()) {
                Reservation r = reservation("order-" + s.id(), made.size());
                if (model.containsKey(r.requestId)) {
                    table.put(r);
                } else {
                    table.putNew(r);
                }
                model.put(r.requestId, r);
                made.add(r);
            } else {
                Reservation r = made.get(made.size() - 1 - s.back() % made.size());
                boolean mapped = model.get(r.requestId) == r;
                assertThat(table.remove(r)).as("removing %s", r.requestId).isEqualTo(mapped);
                model.remove(r.requestId, r);
            }
            assertThat(table.size()).isEqualTo(model.size());
        }
        for (Reservation r : made) {
            assertThat(table.get(r.requestId)).as("id %s", r.requestId).isSameAs(model.get(r.requestId));
        }
        Map<Reservation, Boolean> seen = new IdentityHashMap<>();
        table.forEach(r -> assertThat(seen.put(r, true)).as("visited once").isNull());
        assertThat(seen.keySet()).containsExactlyInAnyOrderElementsOf(model.values());
        for (int i = 0; i < frozen.size(); i++) {
            Map<Reservation, Boolean> then = new IdentityHashMap<>();
            frozen.get(i).forEach(r -> assertThat(then.put(r, true)).as("visited once").isNull());
            assertThat(then.keySet()).as("frozen view %d", i).containsExactlyInAnyOrderElementsOf(mappedThen.get(i));
        }
    }

    @Provide
    Arbitrary<List<Step>> steps() {
        // ids from a pool of 5000: enough to grow the table past its initial 1024 buckets several
        // times, few enough that ids are put again while still mapped
        Arbitrary<Step> step = net.jqwik.api.Combinators.combine(
                Arbitraries.integers().between(0, 9).map(n -> n < 7),
                Arbitraries.integers().between(0, 4999),
                Arbitraries.integers().between(0, 50)).as(Step::new);
        return step.list().ofMaxSize(8000).withSizeDistribution(RandomDistribution.uniform());
    }

    private static Reservation reservation(String id, long ordinal) {
        return new Reservation(id, null, new String[] {"a"}, new long[] {1}, 0, 0, ordinal, Reply.integer(1),
                ReservationState.RESERVED);
    }
}
