package dev.seckill.service.security;

/** What a bearer token may do. ADMIN may do everything SERVICE may. */
public enum Role {
    /** An e-commerce service: buys, reads sales and orders, confirms and cancels orders. */
    SERVICE,
    /** An operator: also creates and restocks sales, reads the dashboard data and metrics. */
    ADMIN;

    public boolean mayActAs(Role needed) {
        return this == ADMIN || this == needed;
    }
}
