package dev.seckill.service.http;

import dev.seckill.service.order.PlainPurchases;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.web.embedded.tomcat.TomcatConnectorCustomizer;
import org.springframework.boot.web.embedded.tomcat.TomcatContextCustomizer;
import org.springframework.boot.web.embedded.tomcat.TomcatProtocolHandlerCustomizer;
import org.springframework.boot.web.embedded.tomcat.TomcatServletWebServerFactory;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.util.unit.DataSize;

import java.time.Duration;

/**
 * The {@link FrontDoor} on {@code server.port}, Tomcat behind it, unless
 * {@code seckill.http.front-door.enabled=false} (then Tomcat listens itself, as Spring Boot
 * makes it by default). {@code seckill.http.front-door.threads} (0: one per core) and
 * {@code seckill.http.front-door.idle-timeout} (60s) tune it; its header limit is
 * {@code server.max-http-request-header-size}, Tomcat's.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnProperty(name = "seckill.http.front-door.enabled", havingValue = "true", matchIfMissing = true)
public class FrontDoorConfiguration {

    /** Spring Boot's own Tomcat factory would be made the same way (ServletWebServerFactoryConfiguration). */
    @Bean
    public TomcatServletWebServerFactory tomcatServletWebServerFactory(
            ObjectProvider<TomcatConnectorCustomizer> connectorCustomizers,
            ObjectProvider<TomcatContextCustomizer> contextCustomizers,
            ObjectProvider<TomcatProtocolHandlerCustomizer<?>> protocolHandlerCustomizers,
            ObjectProvider<FrontDoor> door) {
        FrontedTomcatFactory factory = new FrontedTomcatFactory(door);
        factory.getTomcatConnectorCustomizers().addAll(connectorCustomizers.orderedStream().toList());
        factory.getTomcatContextCustomizers().addAll(contextCustomizers.orderedStream().toList());
        factory.getTomcatProtocolHandlerCustomizers().addAll(protocolHandlerCustomizers.orderedStream().toList());
        return factory;
    }

    @Bean(destroyMethod = "close")
    public FrontDoor frontDoor(PlainPurchases purchases,
                               @Value("${seckill.http.front-door.threads:0}") int threads,
                               @Value("${seckill.http.front-door.idle-timeout:60s}") Duration idleTimeout,
                               @Value("${server.max-http-request-header-size:8KB}") DataSize maxHeader) {
        return new FrontDoor(purchases, new FrontDoor.Settings(threads, idleTimeout, (int) maxHeader.toBytes()));
    }
}
