package dev.seckill.service.config;

import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.type.LogicalType;
import io.swagger.v3.oas.models.Components;
import io.swagger.v3.oas.models.media.Content;
import io.swagger.v3.oas.models.media.IntegerSchema;
import io.swagger.v3.oas.models.media.MediaType;
import io.swagger.v3.oas.models.media.ObjectSchema;
import io.swagger.v3.oas.models.media.Schema;
import io.swagger.v3.oas.models.media.StringSchema;
import io.swagger.v3.oas.models.responses.ApiResponse;
import org.springdoc.core.customizers.OpenApiCustomizer;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.info.Info;
import io.swagger.v3.oas.models.security.SecurityRequirement;
import io.swagger.v3.oas.models.security.SecurityScheme;
import org.springframework.boot.autoconfigure.jackson.Jackson2ObjectMapperBuilderCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.scheduling.annotation.EnableScheduling;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

import java.time.Clock;
import java.util.Map;

/** The small shared beans: the clock, transactions, scheduling, and the OpenAPI description. */
@Configuration(proxyBeanMethods = false)
@EnableScheduling
public class PlatformConfiguration {

    /** Wall-clock time for sale windows (the store keeps its own clock for expiry). */
    @Bean
    public Clock clock() {
        return Clock.systemUTC();
    }

    @Bean
    public TransactionTemplate transactionTemplate(PlatformTransactionManager transactions) {
        return new TransactionTemplate(transactions);
    }

    /** Strings are JSON strings: {@code "userId": 5} is refused, not read as "5". */
    @Bean
    public Jackson2ObjectMapperBuilderCustomizer strictJsonStrings() {
        return builder -> builder.postConfigurer(mapper -> mapper.coercionConfigFor(LogicalType.Textual)
                .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail));
    }

    /** Every API call may answer a problem body: say so once, for all of them. */
    @Bean
    public OpenApiCustomizer problemResponsesInApiDocs() {
        return api -> {
            api.getComponents().addSchemas("Problem", new ObjectSchema()
                    .description("RFC 9457 problem details with a machine-readable code")
                    .addProperty("type", new StringSchema()).addProperty("title", new StringSchema())
                    .addProperty("status", new IntegerSchema()).addProperty("detail", new StringSchema())
                    .addProperty("instance", new StringSchema())
                    .addProperty("code", new StringSchema().example("SOLD_OUT"))
                    .addProperty("field", new StringSchema().description("the offending field, on 400")));
            Map<String, String> common = Map.of(
                    "400", "invalid input (INVALID_REQUEST naming the field, MALFORMED_JSON)",
                    "401", "no or unknown bearer token (UNAUTHENTICATED)",
                    "403", "the token's role may not do this (FORBIDDEN)",
                    "503", "the store cannot answer now (UNAVAILABLE, with Retry-After)");
            api.getPaths().forEach((path, item) -> item.readOperations().forEach(op -> {
                if (!path.startsWith("/api/")) {
                    return;
                }
                common.forEach((status, text) -> {
                    if (op.getResponses().get(status) == null) {
                        op.getResponses().addApiResponse(status, new ApiResponse().description(text)
                                .content(new Content().addMediaType("application/problem+json",
                                        new MediaType().schema(new Schema<>().$ref("#/components/schemas/Problem")))));
                    }
                });
            }));
        };
    }

    @Bean
    public OpenAPI seckillOpenApi() {
        return new OpenAPI()
                .info(new Info().title("seckill-service").version("v1").description(
                        "Flash sales: tens of thousands of buyers on one SKU get a fast yes or no, nothing oversold."
                                + " Errors are application/problem+json (RFC 9457) with a machine `code`."))
                .components(new Components().addSecuritySchemes("bearer",
                        new SecurityScheme().type(SecurityScheme.Type.HTTP).scheme("bearer")
                                .description("the service token buys and reads; the admin token also manages sales")))
                .addSecurityItem(new SecurityRequirement().addList("bearer"));
    }
}
