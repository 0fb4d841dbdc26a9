package dev.seckill.service;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/**
 * The flash-sale HTTP API. With no configuration at all it is the whole platform in one JVM: the
 * counter-store embedded (see {@code store.EmbeddedStore}), an H2 file database with the Flyway
 * schema, and the API on port 8080.
 */
@SpringBootApplication
@ConfigurationPropertiesScan
public class SeckillServiceApplication {

    public static void main(String[] args) {
        SpringApplication.run(SeckillServiceApplication.class, args);
    }
}
