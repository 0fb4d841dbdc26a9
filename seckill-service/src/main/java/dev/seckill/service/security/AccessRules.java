package dev.seckill.service.security;

import java.util.Optional;

/**
 * Who may call what, in one table. Public: health, the OpenAPI document, Swagger UI and the
 * dashboard's static files. ADMIN: managing sales, the dashboard's data ({@code /admin/api/**})
 * and the other actuator endpoints. SERVICE (or ADMIN): everything else.
 */
public final class AccessRules {
    private AccessRules() {
    }

    /** The role a request needs, or empty if it needs no token. */
    public static Optional<Role> required(String method, String path) {
        if (isPublic(path)) {
            return Optional.empty();
        }
        if (path.startsWith("/admin/api/") || path.equals("/admin/api") || path.startsWith("/actuator")) {
            return Optional.of(Role.ADMIN);
        }
        if ("POST".equals(method) && (path.equals("/api/v1/sales") || path.equals("/api/v1/sales/")
                || (path.startsWith("/api/v1/sales/") && path.endsWith("/restock")))) {
            return Optional.of(Role.ADMIN);
        }
        return Optional.of(Role.SERVICE);
    }

    private static boolean isPublic(String path) {
        return path.equals("/actuator/health") || path.startsWith("/actuator/health/")
                || path.equals("/v3/api-docs") || path.startsWith("/v3/api-docs/")
                || path.equals("/swagger-ui.html") || path.startsWith("/swagger-ui/")
                || path.equals("/admin") || (path.startsWith("/admin/") && !path.startsWith("/admin/api"))
                || path.equals("/") || path.equals("/favicon.ico") || path.equals("/error");
    }
}
