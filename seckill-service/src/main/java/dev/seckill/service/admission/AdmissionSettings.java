package dev.seckill.service.admission;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

import java.time.Duration;

/**
 * How hard the service shields the store ({@code seckill.admission.*}).
 *
 * @param globalRate       purchases per second the whole service lets through
 * @param userRate         purchases per second one user may attempt
 * @param inFlightPerUnit  the stock-aware gate: buyers in flight per remaining unit
 * @param minInFlight      ... but at least this many (so the last units still sell quickly)
 * @param maxStoreCalls    the bulkhead: purchases waiting on the store at once
 * @param soldOutPoll      while a sale looks sold out, how often one request asks the store again
 *                         (reservations expire in the store, which tells no one)
 * @param retryAfter       the {@code Retry-After} of 429 and 503 answers
 */
@ConfigurationProperties("seckill.admission")
public record AdmissionSettings(@DefaultValue("50000") int globalRate, @DefaultValue("20") int userRate,
                                @DefaultValue("2") int inFlightPerUnit, @DefaultValue("8") int minInFlight,
                                @DefaultValue("256") int maxStoreCalls, @DefaultValue("250ms") Duration soldOutPoll,
                                @DefaultValue("1s") Duration retryAfter) {
}
