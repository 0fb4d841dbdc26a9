package dev.seckill.store.collection;

import static org.assertj.core.api.Assertions.assertThat;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.RandomDistribution;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * {@link AppendLog} against an {@link ArrayDeque}: the same elements and numbers in the same order
 * after any mix of adds and removals from the head (across chunk boundaries, emptied and refilled),
 * and every view keeps exactly what the log held when it was taken.
 */
class AppendLogProperties {

    /** Steps: a positive n adds n elements, 0 takes a view, a negative n removes up to -n from the head. */
    @Property(tries = 100)
    void queuesLikeADequeAndViewsNeverChange(@ForAll("steps") List<Integer> steps) {
        AppendLog<String> log = AppendLog.numbered();
        ArrayDeque<String> model = new ArrayDeque<>();
        List<AppendLog.View<String>> views = new ArrayList<>();
        List<List<String>> then = new ArrayList<>();
        int made = 0;
        for (int n : steps) {
            if (n > 0) {
                for (int i = 0; i < n; i++, made++) {
                    log.add("e" + made, made * 7L);
                    model.addLast("e" + made);
                }
            } else if (n == 0) {
                views.add(log.view());
                then.add(new ArrayList<>(model));
            } else {
                for (int i = 0; i < -n && !model.isEmpty(); i++) {
                    assertThat(log.peekFirst()).isEqualTo(model.peekFirst());
                    assertThat(log.firstNumber()).isEqualTo(Long.parseLong(model.peekFirst().substring(1)) * 7);
                    log.removeFirst();
                    model.removeFirst();
                }
            }
            assertThat(log.size()).isEqualTo(model.size());
            assertThat(log.isEmpty()).isEqualTo(model.isEmpty());
        }
        assertThat(log).containsExactlyElementsOf(model);
        for (int v = 0; v < views.size(); v++) {
            AppendLog.View<String> view = views.get(v);
            assertThat(view).as("view %d", v).containsExactlyElementsOf(then.get(v));
            for (int i = 0; i < view.size(); i++) {
                assertThat(view.number(i)).isEqualTo(Long.parseLong(view.get(i).substring(1)) * 7);
            }
        }
    }

    @Provide
    Arbitrary<List<Integer>> steps() {
        // adds and removals of up to 3000: chunks of 1024 are filled, left and dropped
        return Arbitraries.frequencyOf(
                        net.jqwik.api.Tuple.of(5, Arbitraries.integers().between(1, 3000)),
                        net.jqwik.api.Tuple.of(1, Arbitraries.just(0)),
                        net.jqwik.api.Tuple.of(4, Arbitraries.integers().between(-3000, -1)))
                .list().ofMaxSize(60).withSizeDistribution(RandomDistribution.uniform());
    }
}
