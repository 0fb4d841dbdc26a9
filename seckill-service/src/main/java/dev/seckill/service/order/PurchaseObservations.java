package dev.seckill.service.order;

import io.micrometer.observation.ObservationRegistry;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.http.HttpServletRequest;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.actuate.autoconfigure.observation.ObservationProperties;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.http.server.observation.DefaultServerRequestObservationConvention;
import org.springframework.http.server.observation.ServerRequestObservationConvention;
import org.springframework.web.filter.ServerHttpObservationFilter;

/**
 * Purchases are measured by the service's own meters ({@code seckill.orders},
 * {@code seckill.purchase.latency}), so Spring's per-request {@code http.server.requests}
 * observation is skipped for them: under a spike its timer, tagged with the matched URI, status
 * and outcome, took about a tenth of the request threads' CPU (perf/RESULTS.md). Every other call
 * keeps it.
 * <p>
 * The skip is in the filter itself, registered here in place of Spring Boot's (same convention,
 * order and dispatcher types): an {@code ObservationPredicate} would only say no after the filter
 * had built the observation's context for every purchase.
 */
@Configuration(proxyBeanMethods = false)
public class PurchaseObservations {
    private static final String SALES = "/api/v1/sales/";
    private static final String ORDERS = "/orders";

    @Bean
    public FilterRegistrationBean<ServerHttpObservationFilter> httpObservationsButPurchases(ObservationRegistry registry,
            ObjectProvider<ServerRequestObservationConvention> customConvention, ObservationProperties properties) {
        String name = properties.getHttp().getServer().getRequests().getName();
        ServerRequestObservationConvention convention =
                customConvention.getIfAvailable(() -> new DefaultServerRequestObservationConvention(name));
        FilterRegistrationBean<ServerHttpObservationFilter> r =
                new FilterRegistrationBean<>(new PurchasesUnobserved(registry, convention));
        r.setOrder(Ordered.HIGHEST_PRECEDENCE + 1); // where Spring Boot puts its own
        r.setDispatcherTypes(DispatcherType.REQUEST, DispatcherType.ASYNC);
        return r;
    }

    /** {@code POST /api/v1/sales/{id}/orders}: asked of every request, so no regular expression. */
    static boolean isPurchase(String method, String uri) {
        if (!"POST".equals(method) || uri == null || !uri.startsWith(SALES) || !uri.endsWith(ORDERS)) {
            return false;
        }
        int idEnd = uri.length() - ORDERS.length();
        return idEnd > SALES.length() && uri.indexOf('/', SALES.length()) == idEnd;
    }

    /** Spring's observation filter, passing purchases straight on. */
    static final class PurchasesUnobserved extends ServerHttpObservationFilter {
        PurchasesUnobserved(ObservationRegistry registry, ServerRequestObservationConvention convention) {
            super(registry, convention);
        }

        @Override
        protected boolean shouldNotFilter(HttpServletRequest request) {
            return isPurchase(request.getMethod(), request.getRequestURI());
        }
    }
}
