package dev.seckill.service.order;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.seckill.service.api.ProblemResponses;
import dev.seckill.service.sale.SaleService;
import dev.seckill.service.security.AccessTokens;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;

/**
 * The plain purchases ({@link PlainPurchases}, also used by the HTTP front door), and
 * {@link PurchaseEndpoint} in the filter chain after the token check (+10) and the body size limit
 * (+20) of {@code security.SecurityConfiguration}, ahead of Spring MVC.
 */
@Configuration(proxyBeanMethods = false)
public class PurchaseEndpointConfiguration {

    @Bean
    public PlainPurchases plainPurchases(OrderService orders, SaleService sales, AccessTokens tokens,
                                         ProblemResponses problems, ObjectMapper json,
                                         @Value("${seckill.http.max-body-bytes:16384}") int maxBodyBytes) {
        return new PlainPurchases(orders, sales, tokens, problems, json, maxBodyBytes);
    }

    @Bean
    public FilterRegistrationBean<PurchaseEndpoint> purchaseEndpoint(PlainPurchases purchases) {
        FilterRegistrationBean<PurchaseEndpoint> r = new FilterRegistrationBean<>(new PurchaseEndpoint(purchases));
        r.setOrder(Ordered.HIGHEST_PRECEDENCE + 30);
        r.addUrlPatterns("/api/v1/sales/*");
        return r;
    }
}
