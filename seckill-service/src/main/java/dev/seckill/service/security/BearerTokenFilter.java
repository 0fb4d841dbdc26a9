package dev.seckill.service.security;

import dev.seckill.service.api.ApiException;
import dev.seckill.service.api.ProblemResponses;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.web.filter.OncePerRequestFilter;

import java.io.IOException;
import java.util.Optional;

/**
 * Checks {@code Authorization: Bearer <token>} against {@link AccessRules}: no or an unknown token
 * answers 401, a token of the wrong role 403, both as problem bodies, before any controller runs.
 */
public class BearerTokenFilter extends OncePerRequestFilter {
    /** Request attribute holding the caller's {@link Role}. */
    public static final String ROLE = BearerTokenFilter.class.getName() + ".role";

    private final AccessTokens tokens;
    private final ProblemResponses problems;

    public BearerTokenFilter(AccessTokens tokens, ProblemResponses problems) {
        this.tokens = tokens;
        this.problems = problems;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String path = request.getRequestURI().substring(request.getContextPath().length());
        Optional<Role> needed = AccessRules.required(request.getMethod(), path);
        if (needed.isEmpty()) {
            chain.doFilter(request, response);
            return;
        }
        String header = request.getHeader(HttpHeaders.AUTHORIZATION);
        if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            problems.write(request, response, new ApiException(HttpStatus.UNAUTHORIZED, "UNAUTHENTICATED",
                    "this call needs an Authorization: Bearer <token> header"));
            return;
        }
        Optional<Role> role = tokens.roleOf(header.substring(7).trim());
        if (role.isEmpty()) {
            problems.write(request, response, new ApiException(HttpStatus.UNAUTHORIZED, "UNAUTHENTICATED",
                    "the bearer token is not valid"));
            return;
        }
        if (!role.get().mayActAs(needed.get())) {
            problems.write(request, response, new ApiException(HttpStatus.FORBIDDEN, "FORBIDDEN",
                    "this call needs the " + needed.get().name().toLowerCase() + " token"));
            return;
        }
        request.setAttribute(ROLE, role.get());
        chain.doFilter(request, response);
    }
}
