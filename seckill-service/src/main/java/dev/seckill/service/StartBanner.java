package dev.seckill.service;

import dev.seckill.service.security.AccessTokens;
import dev.seckill.service.store.StoreConfiguration.StoreLocation;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.boot.web.context.WebServerApplicationContext;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/** Prints where everything is and the tokens to call it with, once the service serves. */
@Component
class StartBanner {
    private final AccessTokens tokens;
    private final StoreLocation store;

    StartBanner(AccessTokens tokens, StoreLocation store) {
        this.tokens = tokens;
        this.store = store;
    }

    @EventListener
    public void ready(ApplicationReadyEvent event) {
        int port = event.getApplicationContext() instanceof WebServerApplicationContext web
                ? web.getWebServer().getPort() : -1;
        String base = "http://localhost:" + port;
        StringBuilder b = new StringBuilder("\n\n  seckill-service is ready\n");
        b.append("    API            ").append(base).append("/api/v1/sales\n");
        b.append("    dashboard      ").append(base).append("/admin/\n");
        b.append("    Swagger UI     ").append(base).append("/swagger-ui.html\n");
        b.append("    health         ").append(base).append("/actuator/health\n");
        b.append("    counter-store  ").append(store.shown()).append(store.isEmbedded() ? " (embedded)" : " (external)")
                .append('\n');
        // a configured token is a secret someone else holds: only generated dev tokens are printed
        b.append("    service token  ").append(tokens.serviceGenerated()
                ? tokens.serviceToken() + "  (generated; set SECKILL_SERVICE_TOKEN to choose)" : "from SECKILL_SERVICE_TOKEN").append('\n');
        b.append("    admin token    ").append(tokens.adminGenerated()
                ? tokens.adminToken() + "  (generated; set SECKILL_ADMIN_TOKEN to choose)" : "from SECKILL_ADMIN_TOKEN").append('\n');
        System.out.println(b);
    }
}
