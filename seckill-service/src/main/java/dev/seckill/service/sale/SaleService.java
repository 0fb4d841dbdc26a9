package dev.seckill.service.sale;

import dev.seckill.service.admission.AdmissionControl;
import dev.seckill.service.api.ApiException;
import dev.seckill.service.api.RequestIds;
import dev.seckill.service.store.Stock;
import dev.seckill.service.store.StoreGateway;
import dev.seckill.service.store.StoreRefusal;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.http.HttpStatus;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Sales: the row in the RDS, the SKU in the store. A sale is created in both (the row inside a
 * transaction that commits only once the store created the SKU), read with live stock from the
 * store, and restocked in the store first. Sales are cached in memory by id and SKU: the fields a
 * purchase needs (window, limit, TTL) never change after creation.
 */
@Service
public class SaleService {
    public static final long MAX_UNITS = 1_000_000_000L;
    static final Duration DEFAULT_TTL = Duration.ofMinutes(15);
    private static final Duration MIN_TTL = Duration.ofSeconds(1);
    private static final Duration MAX_TTL = Duration.ofDays(1);
    private static final int LIST_LIMIT = 1000;
    private static final Logger LOG = LoggerFactory.getLogger(SaleService.class);

    private final SaleRepository sales;
    private final StoreGateway store;
    private final AdmissionControl admission;
    private final TransactionTemplate tx;
    private final Clock clock;
    private final Map<String, Sale> byId = new ConcurrentHashMap<>();
    private final Map<String, Sale> bySku = new ConcurrentHashMap<>();

    public SaleService(SaleRepository sales, StoreGateway store, AdmissionControl admission, TransactionTemplate tx,
                       Clock clock) {
        this.sales = sales;
        this.store = store;
        this.admission = admission;
        this.tx = tx;
        this.clock = clock;
    }

    /** Creates the sale: 201, or 409 SALE_EXISTS / SKU_IN_USE, 400 for a bad window or TTL. */
    public SaleView create(CreateSaleRequest r) {
        Instant now = clock.instant().truncatedTo(ChronoUnit.MILLIS); // what the table keeps
        Instant startsAt = r.startsAt() == null ? now : r.startsAt();
        if (r.endsAt() != null && !r.endsAt().isAfter(startsAt)) {
            throw ApiException.invalid("endsAt", "must be after startsAt");
        }
        Duration ttl = r.reservationTtl() == null ? DEFAULT_TTL : r.reservationTtl();
        if (ttl.compareTo(MIN_TTL) < 0 || ttl.compareTo(MAX_TTL) > 0 || ttl.toMillis() * 1_000_000 != ttl.toNanos()) {
            throw ApiException.invalid("reservationTtl", "must be between PT1S and P1D, in whole milliseconds");
        }
        Sale sale = new Sale(r.id(), r.sku(), r.stock(), r.perUserLimit(), startsAt.truncatedTo(ChronoUnit.MILLIS),
                r.endsAt() == null ? null : r.endsAt().truncatedTo(ChronoUnit.MILLIS), ttl, now, now);
        try {
            tx.executeWithoutResult(status -> {
                sales.insert(sale, sale.phaseAt(now).name().toLowerCase());
                createSku(sale);
            });
        } catch (DuplicateKeyException e) {
            if (sales.findById(sale.id()).isPresent()) {
                throw ApiException.conflict("SALE_EXISTS", "a sale with id " + sale.id() + " exists");
            }
            throw ApiException.conflict("SKU_IN_USE", "SKU " + sale.sku() + " already has a sale");
        }
        remember(sale);
        return SaleView.of(sale, now, store.stock(sale.sku()).orElse(null));
    }

    /**
     * {@code INV.CREATE}. A SKU the store already has is taken over only if it is exactly what
     * this call would have made (a retry after the row failed to commit): same total, untouched.
     */
    private void createSku(Sale sale) {
        try {
            store.create(sale.sku(), sale.units());
        } catch (StoreRefusal refusal) {
            if (!"EXISTS".equals(refusal.code())) {
                throw refusal;
            }
            Stock s = store.stock(sale.sku()).orElse(null);
            if (s == null || s.total() != sale.units() || s.available() != s.total()) {
                throw ApiException.conflict("SKU_IN_USE", "SKU " + sale.sku() + " already exists in the store");
            }
            LOG.info("sale {} takes over the untouched store SKU {}", sale.id(), sale.sku());
        }
    }

    /** Every sale (the newest 1000), oldest first, each with its live stock. */
    public List<SaleView> list() {
        Instant now = clock.instant();
        List<Sale> all = sales.findAll(LIST_LIMIT);
        all.forEach(this::remember);
        Map<String, Stock> stock = store.stocks(all.stream().map(Sale::sku).toList());
        List<SaleView> out = new ArrayList<>(all.size());
        for (Sale s : all) {
            out.add(SaleView.of(s, now, stock.get(s.sku())));
        }
        return out;
    }

    /** One sale with its live stock, or 404 SALE_NOT_FOUND. */
    public SaleView get(String id) {
        Sale s = require(id);
        // the row again, for units that another instance may have restocked
        Sale fresh = sales.findById(id).orElse(s);
        return SaleView.of(fresh, clock.instant(), store.stock(s.sku()).orElse(null));
    }

    /**
     * Adds {@code delta} units in the store (negative: withdraws available ones), then records it.
     *
     * @param idempotencyKey null, or the caller's key: a retry with the same key adds nothing again
     */
    public SaleView restock(String id, long delta, String idempotencyKey) {
        if (delta == 0) {
            throw ApiException.invalid("delta", "must not be 0");
        }
        String requestId = idempotencyKey == null ? null
                : RequestIds.derive("r-", id, RequestIds.requireIdempotencyKey(idempotencyKey));
        Sale s = require(id);
        long available;
        try {
            available = store.restock(s.sku(), delta, requestId);
        } catch (StoreRefusal refusal) {
            if ("INSUFFICIENT".equals(refusal.code())) {
                throw new ApiException(HttpStatus.CONFLICT, "INSUFFICIENT_STOCK", "units available to withdraw: "
                        + refusal.figure(), null, Map.of("available", refusal.figure()));
            }
            throw ApiException.conflict("SKU_MISSING", "the store does not know SKU " + s.sku());
        }
        admission.stockChanged(s.id(), available);
        // the row takes the store's total rather than adding delta, so a replayed restock leaves it right too
        store.stock(s.sku()).ifPresent(stock -> sales.setUnits(s.id(), stock.total(), clock.instant()));
        return get(id);
    }

    /** The sale, or 404 SALE_NOT_FOUND. */
    public Sale require(String id) {
        return find(id).orElseThrow(() -> ApiException.notFound("SALE_NOT_FOUND", "no sale " + id));
    }

    /** The sale if this instance holds it in memory, else null: never asks the database. */
    public Sale cached(String id) {
        return byId.get(id);
    }

    public Optional<Sale> find(String id) {
        Sale s = byId.get(id);
        if (s != null) {
            return Optional.of(s);
        }
        Optional<Sale> loaded = sales.findById(id);
        loaded.ifPresent(this::remember);
        return loaded;
    }

    /** The sale of a SKU (one per SKU). */
    public Optional<Sale> findBySku(String sku) {
        Sale s = bySku.get(sku);
        if (s != null) {
            return Optional.of(s);
        }
        Optional<Sale> loaded = sales.findBySku(sku);
        loaded.ifPresent(this::remember);
        return loaded;
    }

    private void remember(Sale s) {
        byId.put(s.id(), s);
        bySku.put(s.sku(), s);
    }

    /** Keeps the table's status column in step with the windows, for whoever queries the RDS. */
    @Scheduled(fixedDelayString = "${seckill.sale.status-refresh:5s}")
    void refreshStatuses() {
        try {
            sales.refreshStatuses(clock.instant());
        } catch (RuntimeException e) {
            LOG.warn("could not refresh sale statuses: {}", e.getMessage());
        }
    }
}
