package dev.seckill.service.security;

import dev.seckill.service.api.ApiException;
import dev.seckill.service.api.CachedBodyRequest;
import dev.seckill.service.api.ProblemResponses;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.http.HttpStatus;
import org.springframework.web.filter.OncePerRequestFilter;

import java.io.IOException;

/**
 * Refuses request bodies over a limit with 413 before anything parses them. A declared
 * {@code Content-Length} is checked up front; a chunked body is read up to the limit and handed
 * on from memory (bodies of this API are small JSON objects).
 */
public class BodySizeLimitFilter extends OncePerRequestFilter {
    private final int maxBytes;
    private final ProblemResponses problems;

    public BodySizeLimitFilter(int maxBytes, ProblemResponses problems) {
        this.maxBytes = maxBytes;
        this.problems = problems;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        long declared = request.getContentLengthLong();
        if (declared > maxBytes) {
            refuse(request, response);
            return;
        }
        if (declared >= 0 || request.getHeader("Transfer-Encoding") == null) {
            chain.doFilter(request, response); // the container holds the body to its declared length
            return;
        }
        byte[] body = request.getInputStream().readNBytes(maxBytes + 1);
        if (body.length > maxBytes) {
            refuse(request, response);
            return;
        }
        chain.doFilter(new CachedBodyRequest(request, body), response);
    }

    private void refuse(HttpServletRequest request, HttpServletResponse response) throws IOException {
        response.setHeader("Connection", "close"); // do not read the rest of a body we refuse
        problems.write(request, response, new ApiException(HttpStatus.PAYLOAD_TOO_LARGE, "PAYLOAD_TOO_LARGE",
                "the request body is larger than " + maxBytes + " bytes"));
    }
}
