package dev.seckill.service.order;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Which requests skip Spring's http.server.requests observation: purchases only. */
class PurchaseObservationsTest {
    @Test
    void onlyAPostToOneSalesOrdersIsAPurchase() {
        assertThat(PurchaseObservations.isPurchase("POST", "/api/v1/sales/s-1/orders")).isTrue();
        assertThat(PurchaseObservations.isPurchase("POST", "/api/v1/sales/a/orders")).isTrue();

        assertThat(PurchaseObservations.isPurchase("GET", "/api/v1/sales/s-1/orders")).isFalse();
        assertThat(PurchaseObservations.isPurchase("POST", "/api/v1/sales//orders")).as("no sale id").isFalse();
        assertThat(PurchaseObservations.isPurchase("POST", "/api/v1/sales/orders")).isFalse();
        assertThat(PurchaseObservations.isPurchase("POST", "/api/v1/sales/s/x/orders")).as("two segments").isFalse();
        assertThat(PurchaseObservations.isPurchase("POST", "/api/v1/sales/s-1/orders/o-1")).isFalse();
        assertThat(PurchaseObservations.isPurchase("POST", "/api/v1/sales/s-1")).isFalse();
        assertThat(PurchaseObservations.isPurchase("POST", "/api/v1/sales")).isFalse();
        assertThat(PurchaseObservations.isPurchase("POST", "/x/api/v1/sales/s-1/orders")).isFalse();
        assertThat(PurchaseObservations.isPurchase("POST", null)).isFalse();
    }
}
