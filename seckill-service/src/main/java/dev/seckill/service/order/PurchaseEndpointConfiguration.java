package dev.seckill.service.order;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.seckill.service.api.ProblemResponses;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;

/**
 * Puts {@link PurchaseEndpoint} in the filter chain after the token check (+10) and the body size
 * limit (+20) of {@code security.SecurityConfiguration}, ahead of Spring MVC.
 */
@Configuration(proxyBeanMethods = false)
public class PurchaseEndpointConfiguration {

    @Bean
    public FilterRegistrationBean<PurchaseEndpoint> purchaseEndpoint(
            OrderService orders, ProblemResponses problems, ObjectMapper json,
            @Value("${seckill.http.max-body-bytes:16384}") int maxBodyBytes) {
        FilterRegistrationBean<PurchaseEndpoint> r =
                new FilterRegistrationBean<>(new PurchaseEndpoint(orders, problems, json, maxBodyBytes));
        r.setOrder(Ordered.HIGHEST_PRECEDENCE + 30);
        r.addUrlPatterns("/api/v1/sales/*");
        return r;
    }
}
