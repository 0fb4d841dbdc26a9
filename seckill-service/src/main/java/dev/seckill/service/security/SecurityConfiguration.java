package dev.seckill.service.security;

import dev.seckill.service.api.ProblemResponses;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;

/** The servlet filters in front of every controller: tokens first, then the body size limit. */
@Configuration(proxyBeanMethods = false)
public class SecurityConfiguration {

    @Bean
    public FilterRegistrationBean<BearerTokenFilter> bearerTokenFilter(AccessTokens tokens, ProblemResponses problems) {
        FilterRegistrationBean<BearerTokenFilter> r = new FilterRegistrationBean<>(new BearerTokenFilter(tokens, problems));
        r.setOrder(Ordered.HIGHEST_PRECEDENCE + 10);
        r.addUrlPatterns("/*");
        return r;
    }

    @Bean
    public FilterRegistrationBean<BodySizeLimitFilter> bodySizeLimitFilter(
            @Value("${seckill.http.max-body-bytes:16384}") int maxBodyBytes, ProblemResponses problems) {
        FilterRegistrationBean<BodySizeLimitFilter> r =
                new FilterRegistrationBean<>(new BodySizeLimitFilter(maxBodyBytes, problems));
        r.setOrder(Ordered.HIGHEST_PRECEDENCE + 20);
        r.addUrlPatterns("/*");
        return r;
    }
}
