package dev.seckill.store.server;

import static dev.seckill.store.server.Inv.errorOf;
import static dev.seckill.store.server.TestStore.unique;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

import dev.seckill.store.server.Inv.Changes;
import dev.seckill.store.server.Inv.ScanPage;
import dev.seckill.store.server.Inv.Stock;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.output.IntegerOutput;
import io.lettuce.core.protocol.ProtocolVersion;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * The inventory commands of the wire protocol (DESIGN.md, "counter-store wire protocol"), each
 * answer and each refusal, through Lettuce against a node running in this JVM.
 */
@Timeout(30)
class InventoryCommandsTest {
    /** Long enough never to expire while this class runs; only the expiry tests use short ones. */
    private static final long LONG_TTL = 600_000;
    /** Short enough to wait for; the node stamps its clock into the log every 100 ms while reservations wait. */
    private static final long SHORT_TTL = 200;

    @TempDir
    static Path dataDir;
    static TestStore store;
    static Inv inv;

    @BeforeAll
    static void startNode() throws Exception {
        store = TestStore.start(dataDir);
        inv = store.inv();
    }

    @AfterAll
    static void everySkuStillBalancesAndTheNodeStops() {
        try {
            List<String> all = scanAll(100);
            assertThat(all).isNotEmpty();
            for (String sku : all) {
                assertThat(inv.get(sku)).as("stock of %s", sku).matches(Stock::balanced, "total == available + reserved + sold, none negative");
            }
        } finally {
            store.close();
        }
    }

    /** A new SKU with {@code total} units. */
    static String newSku(String what, long total) {
        String sku = unique(what);
        assertThat(inv.create(sku, total)).isEqualTo("OK");
        return sku;
    }

    static List<String> scanAll(long count) {
        List<String> ids = new ArrayList<>();
        String cursor = "0";
        do {
            ScanPage page = inv.scan(cursor, count);
            assertThat(page.ids().size()).isLessThanOrEqualTo((int) count);
            ids.addAll(page.ids());
            cursor = page.cursor();
        } while (!cursor.equals("0"));
        return ids;
    }

    @Nested
    class Create {
        @Test
        void answersOkAndPutsTheWholeTotalOnSale() {
            String sku = unique("create");

            assertThat(inv.create(sku, 10)).isEqualTo("OK");

            assertThat(inv.get(sku)).isEqualTo(new Stock(10, 10, 0, 0));
        }

        @Test
        void refusesAnExistingSkuWithExistsAndChangesNothing() {
            String sku = newSku("create-twice", 10);
            inv.reserve(sku, 3, unique("req"));

            assertThat(errorOf(() -> inv.create(sku, 99))).isEqualTo("EXISTS");

            assertThat(inv.get(sku)).isEqualTo(new Stock(10, 7, 3, 0));
        }

        @Test
        void aSkuCreatedWithNothingIsSoldOutFromTheStart() {
            String sku = newSku("create-empty", 0);

            assertThat(inv.get(sku)).isEqualTo(new Stock(0, 0, 0, 0));
            assertThat(errorOf(() -> inv.reserve(sku, 1, unique("req")))).isEqualTo("SOLDOUT");
        }
    }

    @Nested
    class Restock {
        @Test
        void addsToTotalAndAvailableAndAnswersTheNewAvailable() {
            String sku = newSku("restock", 10);
            inv.reserve(sku, 3, unique("req"));

            assertThat(inv.restock(sku, 5)).isEqualTo(12);

            assertThat(inv.get(sku)).isEqualTo(new Stock(15, 12, 3, 0));
        }

        @Test
        void aNegativeDeltaTakesAvailableUnitsAway() {
            String sku = newSku("restock-neg", 10);

            assertThat(inv.restock(sku, -4)).isEqualTo(6);
            assertThat(inv.restock(sku, -6)).isZero();

            assertThat(inv.get(sku)).isEqualTo(new Stock(0, 0, 0, 0));
            assertThat(errorOf(() -> inv.reserve(sku, 1, unique("req")))).isEqualTo("SOLDOUT");
        }

        @Test
        void cannotTakeAwayMoreThanIsAvailableAndNamesWhatIs() {
            String sku = newSku("restock-short", 10);
            inv.reserve(sku, 3, unique("req"));

            assertThat(errorOf(() -> inv.restock(sku, -8))).isEqualTo("INSUFFICIENT 7");

            assertThat(inv.get(sku)).isEqualTo(new Stock(10, 7, 3, 0));
        }

        @Test
        void refusesAnUnknownSku() {
            assertThat(errorOf(() -> inv.restock(unique("restock-unknown"), 5))).isEqualTo("NOSUCHSKU");
        }

        @Test
        void withARequestIdARetryAnswersTheFirstAnswerAndAddsOnce() {
            String sku = newSku("restock-id", 10);
            String req = unique("restock-req");

            assertThat(inv.restock(sku, 5, req)).isEqualTo(15);
            inv.reserve(sku, 4, unique("req"));
            assertThat(inv.restock(sku, 5, req)).as("the retry").isEqualTo(15);

            assertThat(inv.get(sku)).isEqualTo(new Stock(15, 11, 4, 0));
            assertThat(inv.restock(sku, 1, unique("restock-req"))).as("another id adds again").isEqualTo(12);
        }

        @Test
        void aRetriedRefusalRepeatsTheFirstRefusalEvenWhenItWouldNowPass() {
            String sku = newSku("restock-id-refused", 2);
            String req = unique("restock-req");

            assertThat(errorOf(() -> inv.restock(sku, -5, req))).isEqualTo("INSUFFICIENT 2");
            inv.restock(sku, 10);

            assertThat(errorOf(() -> inv.restock(sku, -5, req))).isEqualTo("INSUFFICIENT 2");
            assertThat(inv.get(sku)).isEqualTo(new Stock(12, 12, 0, 0));
        }

        @Test
        void theChangeFeedSeesOneRestockForTheRetries() {
            String sku = newSku("restock-id-feed", 10);
            String req = unique("restock-req");
            inv.restock(sku, 3, req);
            long after = inv.changes(0, 100_000).lastSeq();

            inv.restock(sku, 3, req);
            inv.restock(sku, 3, req);

            assertThat(inv.changes(after, 100_000).rowsFor("sku", sku)).as("no change after the first").isEmpty();
        }

        @Test
        void restockIdsAreApartFromReservationIds() {
            String sku = newSku("restock-id-space", 10);
            String req = unique("req");
            inv.reserve(sku, 2, req);

            assertThat(inv.restock(sku, 1, req)).isEqualTo(9);
            assertThat(inv.reserve(sku, 2, req)).as("the reservation's retry").isEqualTo(8);
        }

        @Test
        void refusesABadRequestIdOrExtraArguments() {
            String sku = newSku("restock-id-bad", 10);

            assertThat(errorOf(() -> inv.call("INV.RESTOCK", sku, 1, "x".repeat(129))))
                    .isEqualTo("ERR request id must be 1 to 128 bytes");
            assertThat(errorOf(() -> inv.call("INV.RESTOCK", sku, 1, "a", "b")))
                    .isEqualTo("ERR wrong number of arguments for 'inv.restock' command");
            assertThat(inv.get(sku)).isEqualTo(new Stock(10, 10, 0, 0));
        }
    }

    /** DETAIL: one round trip tells a first reservation from a replay, with its state and expiry. */
    @Nested
    class ReserveWithDetail {
        static final List<String> KEYS = List.of("requestId", "sku", "qty", "items", "user", "state", "createdAt",
                "expiresAt", "updatedAt", "available", "replayed");

        @Test
        void answersTheReservationThenAvailableAndReplayedInThatOrder() {
            String sku = newSku("detail", 10);
            String req = unique("req");
            String ann = unique("ann");

            Map<String, Object> d = inv.reserveDetail(sku, 3, req, "USER", ann, "LIMIT", 5, "TTL", LONG_TTL);

            assertThat(List.copyOf(d.keySet())).isEqualTo(KEYS);
            Map<String, Object> plain = inv.reservation(req);
            assertThat(d).containsAllEntriesOf(plain).containsEntry("available", 7L).containsEntry("replayed", 0L);
            assertThat(d).containsEntry("state", "RESERVED").containsEntry("user", ann)
                    .containsEntry("expiresAt", (Long) plain.get("createdAt") + LONG_TTL);
        }

        @Test
        void aReplayAnswersTheFirstAvailableWithTheStateNowAndReservesOnce() {
            String sku = newSku("detail-replay", 10);
            String req = unique("req");
            inv.reserveDetail(sku, 3, req);
            inv.reserve(sku, 2, unique("req"));
            inv.confirm(req);

            Map<String, Object> d = inv.reserveDetail(sku, 3, req);

            assertThat(d).containsEntry("available", 7L).containsEntry("replayed", 1L)
                    .containsEntry("state", "CONFIRMED").containsEntry("expiresAt", null);
            assertThat(inv.get(sku)).isEqualTo(new Stock(10, 5, 2, 3));
        }

        @Test
        void aFirstAttemptAfterAPlainReserveOfTheSameIdIsAReplay() {
            String sku = newSku("detail-after-plain", 10);
            String req = unique("req");
            assertThat(inv.reserve(sku, 1, req)).isEqualTo(9);

            assertThat(inv.reserveDetail(sku, 1, req)).containsEntry("replayed", 1L).containsEntry("available", 9L);
            assertThat(inv.reserve(sku, 1, req)).isEqualTo(9);
        }

        @Test
        void refusalsAreThePlainCommandsAndARetriedRefusalRepeatsTheFirst() {
            String sku = newSku("detail-refused", 2);
            String req = unique("req");

            assertThat(errorOf(() -> inv.reserveDetail(sku, 3, req))).isEqualTo("INSUFFICIENT 2");
            inv.restock(sku, 5);
            assertThat(errorOf(() -> inv.reserveDetail(sku, 3, req))).isEqualTo("INSUFFICIENT 2");
            assertThat(errorOf(() -> inv.reserveDetail(unique("detail-unknown"), 1, unique("req")))).isEqualTo("NOSUCHSKU");
            assertThat(inv.get(sku)).isEqualTo(new Stock(7, 7, 0, 0));
        }

        @Test
        void mayStandAnywhereAmongTheOptionsAndAnyCase() {
            String sku = newSku("detail-anywhere", 10);
            String bob = unique("bob");

            Object reply = inv.call(InvCommand.RESERVE, sku, 1, unique("req"), "detail", "USER", bob, "TTL", LONG_TTL);

            assertThat(Inv.asMap(reply)).containsEntry("user", bob).containsEntry("replayed", 0L);
            assertThat(errorOf(() -> inv.call(InvCommand.RESERVEALL, unique("req"), "DETAIL", "ITEMS", sku, 1)))
                    .startsWith("ERR syntax error");
        }

        @Test
        void deductTakesDetailToo() {
            String sku = newSku("detail-deduct", 10);
            String req = unique("req");

            assertThat(inv.deductDetail(sku, 4, req)).containsEntry("state", "CONFIRMED").containsEntry("available", 6L)
                    .containsEntry("expiresAt", null).containsEntry("replayed", 0L);
            assertThat(inv.deductDetail(sku, 4, req)).containsEntry("replayed", 1L).containsEntry("available", 6L);
            assertThat(inv.get(sku)).isEqualTo(new Stock(10, 6, 0, 4));
        }

        @Test
        void aReserveAllIdReplayedThroughReserveHasNoAvailable() {
            String sku = newSku("detail-all", 10);
            String req = unique("req");
            inv.reserveAll(req, "ITEMS", sku, 2);

            assertThat(inv.reserveDetail(sku, 2, req)).containsEntry("available", null).containsEntry("replayed", 1L)
                    .containsEntry("items", List.of(sku, 2L));
        }

        @ParameterizedTest
        @EnumSource(ProtocolVersion.class)
        void isAMapInRESP3AndAFlatArrayInRESP2(ProtocolVersion protocol) {
            String sku = newSku("detail-proto", 10);
            String req = unique("req");
            Inv other = new Inv(store.connect(protocol));

            Object reply = other.call(InvCommand.RESERVE, sku, 2, req, "DETAIL");

            if (protocol == ProtocolVersion.RESP3) {
                assertThat(reply).isInstanceOf(Map.class);
            } else {
                assertThat(reply).isInstanceOf(List.class);
                assertThat(((List<?>) reply).get(0)).isEqualTo("requestId");
            }
            Map<String, Object> d = Inv.asMap(reply);
            assertThat(List.copyOf(d.keySet())).isEqualTo(KEYS);
            assertThat(d).containsEntry("sku", sku).containsEntry("qty", 2L).containsEntry("available", 8L)
                    .containsEntry("replayed", 0L);
            assertThat(Inv.asMap(other.call(InvCommand.RESERVE, sku, 2, req, "DETAIL"))).containsEntry("replayed", 1L);
        }
    }

    @Nested
    class Get {
        @Test
        void answersTotalAvailableReservedAndSold() {
            String sku = newSku("get", 10);
            inv.reserve(sku, 3, unique("req"));
            inv.deduct(sku, 2, unique("req"));

            Map<String, Object> fields = Inv.asMap(inv.call(InvCommand.GET, sku));

            assertThat(fields).containsExactly(
                    Map.entry("total", 10L), Map.entry("available", 5L), Map.entry("reserved", 3L), Map.entry("sold", 2L));
        }

        @Test
        void answersNilForAnUnknownSku() {
            assertThat(inv.call(InvCommand.GET, unique("get-unknown"))).isNull();
            assertThat(inv.get(unique("get-unknown"))).isNull();
        }
    }

    @Nested
    class Reserve {
        @Test
        void holdsUnitsAndAnswersWhatIsAvailableAfterIt() {
            String sku = newSku("reserve", 10);

            assertThat(inv.reserve(sku, 3, unique("req"))).isEqualTo(7);
            assertThat(inv.reserve(sku, 7, unique("req"))).isZero();

            assertThat(inv.get(sku)).isEqualTo(new Stock(10, 0, 10, 0));
        }

        @Test
        void refusesWithSoldOutWhenNothingIsLeft() {
            String sku = newSku("reserve-soldout", 2);
            inv.reserve(sku, 2, unique("req"));

            assertThat(errorOf(() -> inv.reserve(sku, 1, unique("req")))).isEqualTo("SOLDOUT");

            assertThat(inv.get(sku)).isEqualTo(new Stock(2, 0, 2, 0));
        }

        @Test
        void refusesMoreThanIsLeftNamingWhatIsLeftAndHoldsNothing() {
            String sku = newSku("reserve-short", 5);
            inv.reserve(sku, 2, unique("req"));

            assertThat(errorOf(() -> inv.reserve(sku, 4, unique("req")))).isEqualTo("INSUFFICIENT 3");

            assertThat(inv.get(sku)).isEqualTo(new Stock(5, 3, 2, 0));
        }

        @Test
        void refusesAnUnknownSku() {
            assertThat(errorOf(() -> inv.reserve(unique("reserve-unknown"), 1, unique("req")))).isEqualTo("NOSUCHSKU");
        }

        @Test
        void limitCapsWhatOneUserHoldsAndNamesWhatTheyHaveAlready() {
            String sku = newSku("reserve-limit", 100);
            String alice = unique("alice");

            assertThat(inv.reserve(sku, 2, unique("req"), "USER", alice, "LIMIT", 3)).isEqualTo(98);
            assertThat(errorOf(() -> inv.reserve(sku, 2, unique("req"), "USER", alice, "LIMIT", 3))).isEqualTo("LIMIT 2");
            assertThat(inv.reserve(sku, 1, unique("req"), "USER", alice, "LIMIT", 3)).isEqualTo(97);
            assertThat(errorOf(() -> inv.reserve(sku, 1, unique("req"), "USER", alice, "LIMIT", 3))).isEqualTo("LIMIT 3");

            // another user has an allowance of their own
            assertThat(inv.reserve(sku, 3, unique("req"), "USER", unique("bob"), "LIMIT", 3)).isEqualTo(94);
            assertThat(inv.get(sku)).isEqualTo(new Stock(100, 94, 6, 0));
        }

        @Test
        void limitCountsWhatTheUserBoughtAndFreesWhatTheyCancelled() {
            String sku = newSku("reserve-limit-sold", 100);
            String carol = unique("carol");
            String bought = unique("req");
            String cancelled = unique("req");
            inv.reserve(sku, 2, bought, "USER", carol, "LIMIT", 4);
            inv.confirm(bought);
            inv.deduct(sku, 1, unique("req"), "USER", carol, "LIMIT", 4);
            inv.reserve(sku, 1, cancelled, "USER", carol, "LIMIT", 4);

            assertThat(errorOf(() -> inv.reserve(sku, 1, unique("req"), "USER", carol, "LIMIT", 4))).isEqualTo("LIMIT 4");

            inv.cancel(cancelled);
            assertThat(inv.reserve(sku, 1, unique("req"), "USER", carol, "LIMIT", 4)).isEqualTo(96);
        }

        @Test
        void aRetriedRequestIdGetsTheFirstAnswerAndDoesNotDeductTwice() {
            String sku = newSku("reserve-retry", 10);
            String first = unique("req");
            assertThat(inv.reserve(sku, 2, first)).isEqualTo(8);
            assertThat(inv.reserve(sku, 3, unique("req"))).isEqualTo(5);

            assertThat(inv.reserve(sku, 2, first)).isEqualTo(8);
            assertThat(inv.reserve(sku, 2, first)).isEqualTo(8);

            assertThat(inv.get(sku)).isEqualTo(new Stock(10, 5, 5, 0));
        }

        @Test
        void aRetriedRefusalGetsTheSameRefusalEvenAfterARestock() {
            String sku = newSku("reserve-retry-refused", 3);
            String req = unique("req");
            assertThat(errorOf(() -> inv.reserve(sku, 5, req))).isEqualTo("INSUFFICIENT 3");

            inv.restock(sku, 10);

            assertThat(errorOf(() -> inv.reserve(sku, 5, req))).isEqualTo("INSUFFICIENT 3");
            assertThat(inv.get(sku)).isEqualTo(new Stock(13, 13, 0, 0));
        }

        @Test
        void aRequestIdRefusedForAnUnknownSkuIsNotRememberedSoItMayBeUsedOnceTheSkuExists() {
            String sku = unique("reserve-later");
            String req = unique("req");
            assertThat(errorOf(() -> inv.reserve(sku, 1, req))).isEqualTo("NOSUCHSKU");

            inv.create(sku, 5);

            assertThat(inv.reserve(sku, 1, req)).isEqualTo(4);
        }

        @Test
        void aTtlSetsWhenTheReservationExpires() {
            String sku = newSku("reserve-ttl", 10);
            String req = unique("req");

            inv.reserve(sku, 1, req, "TTL", LONG_TTL);

            Map<String, Object> r = inv.reservation(req);
            assertThat((Long) r.get("expiresAt")).isEqualTo((Long) r.get("createdAt") + LONG_TTL);
        }
    }

    @Nested
    class ReserveAll {
        @Test
        void reservesEveryLine() {
            String a = newSku("all-a", 10);
            String b = newSku("all-b", 10);
            String req = unique("req");

            assertThat(inv.reserveAll(req, "USER", unique("dave"), "TTL", LONG_TTL, "ITEMS", a, 2, b, 3)).isEqualTo("OK");

            assertThat(inv.get(a)).isEqualTo(new Stock(10, 8, 2, 0));
            assertThat(inv.get(b)).isEqualTo(new Stock(10, 7, 3, 0));
            assertThat(inv.reservation(req)).containsEntry("items", List.of(a, 2L, b, 3L)).containsEntry("state", "RESERVED");
        }

        @Test
        void reservesNothingWhenOneLineIsShortAndNamesThatSku() {
            String a = newSku("all-short-a", 10);
            String b = newSku("all-short-b", 2);
            String c = newSku("all-short-c", 10);

            assertThat(errorOf(() -> inv.reserveAll(unique("req"), "ITEMS", a, 1, b, 5, c, 1))).isEqualTo("INSUFFICIENT 2 " + b);

            assertThat(inv.get(a)).isEqualTo(new Stock(10, 10, 0, 0));
            assertThat(inv.get(b)).isEqualTo(new Stock(2, 2, 0, 0));
            assertThat(inv.get(c)).isEqualTo(new Stock(10, 10, 0, 0));
        }

        @Test
        void reservesNothingWhenOneLineIsSoldOutAndNamesThatSku() {
            String a = newSku("all-soldout-a", 10);
            String b = newSku("all-soldout-b", 0);

            assertThat(errorOf(() -> inv.reserveAll(unique("req"), "ITEMS", a, 1, b, 1))).isEqualTo("SOLDOUT " + b);

            assertThat(inv.get(a)).isEqualTo(new Stock(10, 10, 0, 0));
        }

        @Test
        void reservesNothingWhenOneSkuIsUnknownAndNamesThatSku() {
            String a = newSku("all-unknown-a", 10);
            String missing = unique("all-unknown-missing");

            assertThat(errorOf(() -> inv.reserveAll(unique("req"), "ITEMS", a, 1, missing, 1))).isEqualTo("NOSUCHSKU " + missing);

            assertThat(inv.get(a)).isEqualTo(new Stock(10, 10, 0, 0));
        }

        @Test
        void reservesNothingWhenOneLinePassesTheUsersLimitAndNamesThatSku() {
            String a = newSku("all-limit-a", 10);
            String b = newSku("all-limit-b", 10);
            String erin = unique("erin");
            inv.reserve(b, 2, unique("req"), "USER", erin, "LIMIT", 3);

            assertThat(errorOf(() -> inv.reserveAll(unique("req"), "USER", erin, "LIMIT", 3, "ITEMS", a, 2, b, 2)))
                    .isEqualTo("LIMIT 2 " + b);

            assertThat(inv.get(a)).isEqualTo(new Stock(10, 10, 0, 0));
            assertThat(inv.get(b)).isEqualTo(new Stock(10, 8, 2, 0));
        }

        @Test
        void aRetryGetsTheFirstAnswerAndReservesOnce() {
            String a = newSku("all-retry-a", 10);
            String b = newSku("all-retry-b", 10);
            String req = unique("req");
            inv.reserveAll(req, "ITEMS", a, 1, b, 1);

            assertThat(inv.reserveAll(req, "ITEMS", a, 1, b, 1)).isEqualTo("OK");

            assertThat(inv.get(a)).isEqualTo(new Stock(10, 9, 1, 0));
            assertThat(inv.get(b)).isEqualTo(new Stock(10, 9, 1, 0));
        }

        @Test
        void confirmAndCancelMoveEveryLine() {
            String a = newSku("all-confirm-a", 10);
            String b = newSku("all-confirm-b", 10);
            String sold = unique("req");
            String dropped = unique("req");
            inv.reserveAll(sold, "ITEMS", a, 2, b, 3);
            inv.reserveAll(dropped, "ITEMS", a, 1, b, 1);

            assertThat(inv.confirm(sold)).isEqualTo("OK");
            assertThat(inv.cancel(dropped)).isEqualTo("OK");

            assertThat(inv.get(a)).isEqualTo(new Stock(10, 8, 0, 2));
            assertThat(inv.get(b)).isEqualTo(new Stock(10, 7, 0, 3));
        }
    }

    @Nested
    class ConfirmAndCancel {
        @Test
        void confirmTurnsReservedIntoSold() {
            String sku = newSku("confirm", 10);
            String req = unique("req");
            inv.reserve(sku, 4, req);

            assertThat(inv.confirm(req)).isEqualTo("OK");

            assertThat(inv.get(sku)).isEqualTo(new Stock(10, 6, 0, 4));
            assertThat(inv.reservation(req)).containsEntry("state", "CONFIRMED");
        }

        @Test
        void confirmingAgainIsHarmless() {
            String sku = newSku("confirm-twice", 10);
            String req = unique("req");
            inv.reserve(sku, 4, req);
            inv.confirm(req);

            assertThat(inv.confirm(req)).isEqualTo("OK");

            assertThat(inv.get(sku)).isEqualTo(new Stock(10, 6, 0, 4));
        }

        @Test
        void cancelReturnsReservedUnitsToAvailable() {
            String sku = newSku("cancel", 10);
            String req = unique("req");
            inv.reserve(sku, 4, req);

            assertThat(inv.cancel(req)).isEqualTo("OK");
            assertThat(inv.cancel(req)).as("cancelling again").isEqualTo("OK");

            assertThat(inv.get(sku)).isEqualTo(new Stock(10, 10, 0, 0));
            assertThat(inv.reservation(req)).containsEntry("state", "CANCELLED");
        }

        @Test
        void anUnknownRequestIdHasNoReservation() {
            assertThat(errorOf(() -> inv.confirm(unique("req")))).isEqualTo("NOSUCHRESERVATION");
            assertThat(errorOf(() -> inv.cancel(unique("req")))).isEqualTo("NOSUCHRESERVATION");
        }

        @Test
        void aRefusedRequestHasNoReservation() {
            String sku = newSku("confirm-refused", 1);
            String req = unique("req");
            errorOf(() -> inv.reserve(sku, 2, req));

            assertThat(errorOf(() -> inv.confirm(req))).isEqualTo("NOSUCHRESERVATION");
            assertThat(errorOf(() -> inv.cancel(req))).isEqualTo("NOSUCHRESERVATION");
            assertThat(inv.get(sku)).isEqualTo(new Stock(1, 1, 0, 0));
        }

        @Test
        void aCancelledReservationCannotBeConfirmed() {
            String sku = newSku("confirm-cancelled", 10);
            String req = unique("req");
            inv.reserve(sku, 4, req);
            inv.cancel(req);

            assertThat(errorOf(() -> inv.confirm(req))).isEqualTo("CANCELLED");

            assertThat(inv.get(sku)).isEqualTo(new Stock(10, 10, 0, 0));
        }

        @Test
        void aConfirmedReservationCannotBeCancelled() {
            String sku = newSku("cancel-confirmed", 10);
            String req = unique("req");
            inv.reserve(sku, 4, req);
            inv.confirm(req);

            assertThat(errorOf(() -> inv.cancel(req))).isEqualTo("CONFIRMED");

            assertThat(inv.get(sku)).isEqualTo(new Stock(10, 6, 0, 4));
        }

        @Test
        void aDeductIsASaleThatCanBeConfirmedButNotCancelled() {
            String sku = newSku("deduct-confirm", 10);
            String req = unique("req");
            inv.deduct(sku, 2, req);

            assertThat(inv.confirm(req)).isEqualTo("OK");
            assertThat(errorOf(() -> inv.cancel(req))).isEqualTo("CONFIRMED");

            assertThat(inv.get(sku)).isEqualTo(new Stock(10, 8, 0, 2));
        }

        @Test
        void anExpiredReservationCanNeitherBeConfirmedNorCancelled() {
            String sku = newSku("confirm-expired", 10);
            String req = unique("req");
            inv.reserve(sku, 4, req, "TTL", SHORT_TTL);

            await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(50))
                    .until(() -> inv.reservation(req).get("state"), "EXPIRED"::equals);

            assertThat(errorOf(() -> inv.confirm(req))).isEqualTo("EXPIRED");
            assertThat(errorOf(() -> inv.cancel(req))).isEqualTo("EXPIRED");
            assertThat(inv.get(sku)).isEqualTo(new Stock(10, 10, 0, 0));
        }
    }

    @Nested
    class Expiry {
        @Test
        void anExpiredReservationReturnsItsUnitsOnItsOwnWithNoOtherTraffic() {
            String sku = newSku("expiry", 10);
            String req = unique("req");
            String frank = unique("frank");
            long expiredBefore = store.infoLong("stats", "reservations_expired");
            inv.reserve(sku, 4, req, "USER", frank, "LIMIT", 4, "TTL", SHORT_TTL);

            // INFO is answered on the I/O thread and writes nothing to the log: while we wait,
            // only the node's own clock ticks move store time
            await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(50))
                    .until(() -> store.infoLong("stats", "reservations_expired"), n -> n == expiredBefore + 1);

            assertThat(inv.get(sku)).isEqualTo(new Stock(10, 10, 0, 0));
            Map<String, Object> r = inv.reservation(req);
            assertThat(r).containsEntry("state", "EXPIRED");
            assertThat((Long) r.get("updatedAt")).isGreaterThanOrEqualTo((Long) r.get("expiresAt"));
            // the user's allowance is free again
            assertThat(inv.reserve(sku, 4, unique("req"), "USER", frank, "LIMIT", 4)).isEqualTo(6);
        }

        @Test
        void aPendingReservationWhoseTtlIsFarOffWritesNoClockTicks() throws InterruptedException {
            String sku = newSku("no-ticks", 10);
            inv.reserve(sku, 1, unique("req"), "TTL", LONG_TTL);
            Thread.sleep(SHORT_TTL + 300); // any short reservation of another test has expired by now
            assertThat(store.infoLong("inventory", "expiring_reservations")).isPositive();

            long before = store.infoLong("persistence", "log_applied_index");
            Thread.sleep(1000);
            assertThat(store.infoLong("persistence", "log_applied_index"))
                    .as("log entries in 1 s with nothing due (ten ticks a second used to be written)")
                    .isEqualTo(before);
        }
    }

    @Nested
    class Reservation {
        @Test
        void describesTheReservation() {
            String sku = newSku("reservation", 10);
            String req = unique("req");
            String grace = unique("grace");
            inv.reserve(sku, 3, req, "USER", grace, "TTL", LONG_TTL);

            Map<String, Object> r = inv.reservation(req);

            assertThat(r).containsOnlyKeys("requestId", "sku", "qty", "items", "user", "state", "createdAt", "expiresAt", "updatedAt");
            assertThat(r).containsEntry("requestId", req).containsEntry("sku", sku).containsEntry("qty", 3L)
                    .containsEntry("items", List.of(sku, 3L)).containsEntry("user", grace).containsEntry("state", "RESERVED");
            long createdAt = (Long) r.get("createdAt");
            assertThat(createdAt).isCloseTo(System.currentTimeMillis(), within(60_000L));
            assertThat(r).containsEntry("expiresAt", createdAt + LONG_TTL).containsEntry("updatedAt", createdAt);
        }

        @Test
        void withoutUserOrTtlThoseFieldsAreNil() {
            String sku = newSku("reservation-plain", 10);
            String req = unique("req");
            inv.reserve(sku, 1, req);

            Map<String, Object> r = inv.reservation(req);

            assertThat(r).containsEntry("user", null).containsEntry("expiresAt", null).containsEntry("state", "RESERVED");
        }

        @Test
        void followsTheStateAndStampsTheChange() {
            String sku = newSku("reservation-state", 10);
            String req = unique("req");
            inv.reserve(sku, 1, req);
            long createdAt = (Long) inv.reservation(req).get("createdAt");

            inv.confirm(req);

            Map<String, Object> r = inv.reservation(req);
            assertThat(r).containsEntry("state", "CONFIRMED");
            assertThat((Long) r.get("updatedAt")).isGreaterThanOrEqualTo(createdAt);
        }

        @Test
        void isNilForAnUnknownOrRefusedRequest() {
            String sku = newSku("reservation-none", 1);
            String refused = unique("req");
            errorOf(() -> inv.reserve(sku, 5, refused));

            assertThat(inv.reservation(unique("req"))).isNull();
            assertThat(inv.reservation(refused)).isNull();
        }
    }

    @Nested
    class Deduct {
        @Test
        void sellsStraightAwayAndAnswersWhatIsAvailableAfterIt() {
            String sku = newSku("deduct", 10);
            String req = unique("req");

            assertThat(inv.deduct(sku, 3, req)).isEqualTo(7);

            assertThat(inv.get(sku)).isEqualTo(new Stock(10, 7, 0, 3));
            assertThat(inv.reservation(req)).containsEntry("state", "CONFIRMED").containsEntry("expiresAt", null);
        }

        @Test
        void isRefusedLikeAReservation() {
            String sku = newSku("deduct-refused", 3);
            String henry = unique("henry");

            assertThat(errorOf(() -> inv.deduct(sku, 4, unique("req")))).isEqualTo("INSUFFICIENT 3");
            assertThat(inv.deduct(sku, 2, unique("req"), "USER", henry, "LIMIT", 2)).isEqualTo(1);
            assertThat(errorOf(() -> inv.deduct(sku, 1, unique("req"), "USER", henry, "LIMIT", 2))).isEqualTo("LIMIT 2");
            assertThat(inv.deduct(sku, 1, unique("req"))).isZero();
            assertThat(errorOf(() -> inv.deduct(sku, 1, unique("req")))).isEqualTo("SOLDOUT");
            assertThat(errorOf(() -> inv.deduct(unique("deduct-unknown"), 1, unique("req")))).isEqualTo("NOSUCHSKU");

            assertThat(inv.get(sku)).isEqualTo(new Stock(3, 0, 0, 3));
        }

        @Test
        void aRetryGetsTheFirstAnswerAndSellsOnce() {
            String sku = newSku("deduct-retry", 10);
            String req = unique("req");
            inv.deduct(sku, 3, req);

            assertThat(inv.deduct(sku, 3, req)).isEqualTo(7);

            assertThat(inv.get(sku)).isEqualTo(new Stock(10, 7, 0, 3));
        }

        @Test
        void takesNoTtl() {
            String sku = newSku("deduct-ttl", 10);

            assertThat(errorOf(() -> inv.deduct(sku, 1, unique("req"), "TTL", 1000))).startsWith("ERR syntax error");

            assertThat(inv.get(sku)).isEqualTo(new Stock(10, 10, 0, 0));
        }
    }

    @Nested
    class Scan {
        @Test
        void pagesThroughEverySkuExactlyOnce() {
            Set<String> created = new HashSet<>();
            for (int i = 0; i < 25; i++) {
                created.add(newSku("scan", 1));
            }

            List<String> seen = scanAll(10);

            assertThat(seen).doesNotHaveDuplicates().containsAll(created);
        }

        @Test
        void answersANextCursorUntilTheLastPage() {
            for (int i = 0; i < 3; i++) {
                newSku("scan-cursor", 1);
            }

            ScanPage first = inv.scan("0", 2);

            assertThat(first.ids()).hasSize(2);
            assertThat(first.cursor()).isNotEqualTo("0");
            ScanPage next = inv.scan(first.cursor(), 2);
            assertThat(next.ids()).doesNotContainAnyElementsOf(first.ids());
        }

        @Test
        void countsTenByDefault() {
            for (int i = 0; i < 11; i++) {
                newSku("scan-default", 1);
            }

            assertThat(inv.scan("0").ids()).hasSize(10);
        }
    }

    @Nested
    class ManyBuyersAtOnce {
        @Test
        void neverSellMoreThanThereIsAndEveryUnitGoesToExactlyOneBuyer() throws Exception {
            String sku = newSku("rush", 250);
            int buyers = 4;
            int attemptsEach = 100;
            List<StatefulRedisConnection<String, String>> connections = new ArrayList<>();
            for (int b = 0; b < buyers; b++) {
                connections.add(store.connect());
            }
            List<RedisFuture<Long>> answers = new ArrayList<>();
            // pipelined: every buyer sends all its requests before reading any answer
            for (int i = 0; i < attemptsEach; i++) {
                for (int b = 0; b < buyers; b++) {
                    answers.add(connections.get(b).async().dispatch(InvCommand.RESERVE, new IntegerOutput<>(StringCodec.UTF8),
                            Inv.args(sku, 1, unique("rush-req"))));
                }
            }

            List<Long> availableAfter = new ArrayList<>();
            int soldOut = 0;
            for (RedisFuture<Long> answer : answers) {
                try {
                    availableAfter.add(answer.get(10, TimeUnit.SECONDS));
                } catch (ExecutionException e) {
                    assertThat(e.getCause()).hasMessage("SOLDOUT");
                    soldOut++;
                }
            }

            assertThat(availableAfter).hasSize(250).doesNotHaveDuplicates().allMatch(n -> n >= 0 && n < 250);
            assertThat(soldOut).isEqualTo(buyers * attemptsEach - 250);
            assertThat(inv.get(sku)).isEqualTo(new Stock(250, 0, 250, 0));
            connections.forEach(StatefulRedisConnection::close);
        }
    }

    @Nested
    class ChangesAndAck {
        @Test
        void listsEachChangedRowOnceWithItsLatestStateAfterASequence() {
            long before = inv.changes(0, 1).lastSeq();
            String sku = newSku("feed", 10);
            inv.restock(sku, 5);
            String req = unique("req");
            inv.reserve(sku, 2, req, "USER", "ivy");

            Changes changes = inv.changes(before, 1000);

            assertThat(changes.lastSeq()).isGreaterThan(before);
            List<List<Object>> skuRows = changes.rowsFor("sku", sku);
            assertThat(skuRows).hasSize(1);
            assertThat(skuRows.get(0).subList(1, 7)).containsExactly("sku", sku, 15L, 13L, 2L, 0L);
            List<List<Object>> reservationRows = changes.rowsFor("reservation", req);
            assertThat(reservationRows).hasSize(1);
            List<Object> r = reservationRows.get(0);
            assertThat(r.subList(1, 5)).containsExactly("reservation", req, "reserved", "ivy");
            assertThat(r.subList(8, 10)).containsExactly(sku, 2L);
            assertThat(changes.rows()).allSatisfy(row -> assertThat((Long) row.get(0)).isGreaterThan(before));
            assertThat(changes.rows()).extracting(row -> (Long) row.get(0)).isSorted();
        }

        @Test
        void answersAtMostCountRows() {
            long before = inv.changes(0, 1).lastSeq();
            newSku("feed-count", 1);
            newSku("feed-count", 1);
            newSku("feed-count", 1);

            assertThat(inv.changes(before, 2).rows()).hasSize(2);
        }

        @Test
        void ackForgetsWhatWasAcknowledgedAndALaterChangeShowsAgain() {
            long before = inv.changes(0, 1).lastSeq();
            String sku = newSku("feed-ack", 10);
            long upTo = inv.changes(before, 1000).lastSeq();

            long stillWaiting = inv.ack(upTo);

            assertThat(stillWaiting).as("rows changed after %d", upTo).isZero();
            Changes afterAck = inv.changes(0, 100_000);
            assertThat(afterAck.ackedSeq()).isEqualTo(upTo);
            assertThat(afterAck.rowsFor("sku", sku)).isEmpty();

            inv.restock(sku, 1);

            List<List<Object>> again = inv.changes(upTo, 1000).rowsFor("sku", sku);
            assertThat(again).hasSize(1);
            assertThat((Long) again.get(0).get(0)).isGreaterThan(upTo);
            assertThat(again.get(0).subList(3, 7)).containsExactly(11L, 11L, 0L, 0L);
        }
    }
}
