package dev.seckill.store.collection;

import static org.assertj.core.api.Assertions.assertThat;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.RandomDistribution;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * {@link StringLongMap} against a {@link HashMap}: the same entries after any sequence of sets,
 * inserts and removals (slots freed and reused, chunk 0 growing, the buckets rehashed, many
 * chunks), and every frozen view keeps exactly the entries of its freeze moment while the map goes
 * on changing (copy on write).
 */
class StringLongMapProperties {

    /** One step on key {@code key}: 0-5 add {@code delta} (insert if absent), 6-8 remove, 9 freeze. */
    record Step(int kind, int key, long delta) {}

    @Property(tries = 60)
    void mapsLikeAHashMapAndFrozenViewsNeverChange(@ForAll("steps") List<Step> steps) {
        StringLongMap map = new StringLongMap();
        Map<String, Long> model = new HashMap<>();
        List<StringLongMap.Frozen> frozen = new ArrayList<>();
        List<Map<String, Long>> then = new ArrayList<>();
        for (Step s : steps) {
            String key = "user-" + s.key();
            if (s.kind() <= 5) {
                int slot = map.find(key);
                if (slot == StringLongMap.ABSENT) {
                    assertThat(model).doesNotContainKey(key);
                    map.insert(key, s.delta());
                } else {
                    assertThat(map.valueAt(slot)).as(key).isEqualTo(model.get(key));
                    map.setAt(slot, map.valueAt(slot) + s.delta());
                }
                model.merge(key, s.delta(), Long::sum);
            } else if (s.kind() <= 8) {
                assertThat(map.remove(key)).as("removing %s", key).isEqualTo(model.remove(key) != null);
            } else if (frozen.size() < 20) {
                frozen.add(map.freeze());
                then.add(new HashMap<>(model));
            }
            assertThat(map.size()).isEqualTo(model.size());
        }
        assertThat(entries(map::forEach)).isEqualTo(model);
        for (int i = 0; i < frozen.size(); i++) {
            assertThat(entries(frozen.get(i)::forEach)).as("frozen view %d", i).isEqualTo(then.get(i));
            assertThat(frozen.get(i).size()).as("frozen view %d size", i).isEqualTo(then.get(i).size());
        }
    }

    interface Walk {
        void forEach(StringLongMap.EntryConsumer<RuntimeException> action);
    }

    private static Map<String, Long> entries(Walk walk) {
        Map<String, Long> out = new HashMap<>();
        walk.forEach((k, v) -> assertThat(out.put(k, v)).as("visited once: %s", k).isNull());
        return out;
    }

    @Provide
    Arbitrary<List<Step>> steps() {
        // 3000 keys: several chunks of 256 and several rehashes; keys come back while mapped
        Arbitrary<Step> step = Combinators.combine(
                Arbitraries.integers().between(0, 9),
                Arbitraries.integers().between(0, 2999),
                Arbitraries.longs().between(-3, 3)).as(Step::new);
        return step.list().ofMaxSize(8000).withSizeDistribution(RandomDistribution.uniform());
    }
}
