package dev.seckill.service.security;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Optional;

/**
 * The two bearer tokens: from {@code SECKILL_SERVICE_TOKEN} / {@code SECKILL_ADMIN_TOKEN}
 * (environment or property), or generated at start (the start banner prints them).
 */
@Component
public class AccessTokens {
    private final String serviceToken;
    private final String adminToken;
    private final boolean serviceGenerated;
    private final boolean adminGenerated;

    public AccessTokens(@Value("${SECKILL_SERVICE_TOKEN:}") String serviceToken,
                        @Value("${SECKILL_ADMIN_TOKEN:}") String adminToken) {
        this.serviceGenerated = serviceToken.isBlank();
        this.adminGenerated = adminToken.isBlank();
        if (serviceGenerated) {
            serviceToken = "svc-" + random();
        }
        if (adminGenerated) {
            adminToken = "adm-" + random();
        }
        if (serviceToken.equals(adminToken)) {
            throw new IllegalArgumentException("SECKILL_SERVICE_TOKEN and SECKILL_ADMIN_TOKEN must differ");
        }
        this.serviceToken = serviceToken;
        this.adminToken = adminToken;
    }

    private static String random() {
        byte[] b = new byte[18];
        new SecureRandom().nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    /** The role a presented token grants, compared in constant time. */
    public Optional<Role> roleOf(String token) {
        if (token == null || token.isEmpty()) {
            return Optional.empty();
        }
        if (same(token, adminToken)) {
            return Optional.of(Role.ADMIN);
        }
        if (same(token, serviceToken)) {
            return Optional.of(Role.SERVICE);
        }
        return Optional.empty();
    }

    private static boolean same(String a, String b) {
        return MessageDigest.isEqual(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
    }

    public String serviceToken() {
        return serviceToken;
    }

    public String adminToken() {
        return adminToken;
    }

    /** True if the service token was generated here rather than configured (so it may be printed). */
    public boolean serviceGenerated() {
        return serviceGenerated;
    }

    /** True if the admin token was generated here rather than configured (so it may be printed). */
    public boolean adminGenerated() {
        return adminGenerated;
    }
}
