package dev.seckill.service.sale;

import dev.seckill.service.store.Stock;

import java.time.Duration;
import java.time.Instant;

/**
 * A sale as the API shows it, with the live stock read from the store.
 *
 * @param status SCHEDULED, ACTIVE or ENDED: where now falls in the window
 * @param units  units put on sale so far (the stock at creation plus restocks)
 */
public record SaleView(String id, String sku, Sale.Phase status, Instant startsAt, Instant endsAt,
                       Integer perUserLimit, Duration reservationTtl, long units, Instant createdAt, Stock stock) {

    static SaleView of(Sale s, Instant now, Stock stock) {
        return new SaleView(s.id(), s.sku(), s.phaseAt(now), s.startsAt(), s.endsAt(), s.perUserLimit(),
                s.reservationTtl(), s.units(), s.createdAt(), stock);
    }
}
