package dev.seckill.sync.feed;

import io.lettuce.core.RedisURI;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The addresses of one store shard's nodes, as users write them: one address
 * ({@code redis://host:port}, {@code redis://:password@host:port}) or a comma-separated list of the
 * group's nodes ({@code redis://a:7001,redis://b:7002,redis://c:7003}). After the first address the
 * scheme may be left out ({@code redis://:pw@a:7001,b:7002,c:7003}): such an address takes the
 * first one's scheme and password. Any node of a group takes every command, so the order only says
 * which node is tried first.
 *
 * <p>The one parser of store addresses: the sync's {@code --store}, and the HTTP service's
 * {@code store.uri} (which depends on this module anyway). A password holding a comma must be
 * percent-encoded ({@code %2C}).
 */
public final class StoreNodes {
    private StoreNodes() {
    }

    /**
     * The nodes of {@code addresses}, in the order given.
     *
     * @throws IllegalArgumentException naming the bad part: an empty list or entry, an address
     *                                  that is not {@code redis://host:port}, a bad port, a node given twice
     */
    public static List<RedisURI> parse(String addresses) {
        if (addresses == null || addresses.isBlank()) {
            throw new IllegalArgumentException("no store address: expected redis://host:port or a list "
                    + "redis://host1:port1,redis://host2:port2,...");
        }
        String[] parts = addresses.split(",", -1);
        List<RedisURI> nodes = new ArrayList<>(parts.length);
        Set<String> seen = new HashSet<>();
        RedisURI first = null;
        for (int i = 0; i < parts.length; i++) {
            String part = parts[i].strip();
            String where = parts.length == 1 ? "store address" : "store address " + (i + 1) + " of " + parts.length;
            if (part.isEmpty()) {
                throw new IllegalArgumentException(where + " is empty in '" + redact(addresses) + "'");
            }
            RedisURI node = first == null || part.contains("://") ? full(part, where) : shortForm(part, first, where);
            String hostPort = node.getHost() + ":" + node.getPort();
            if (!seen.add(hostPort)) {
                throw new IllegalArgumentException(where + " '" + redact(part) + "' names " + hostPort + " again");
            }
            if (first == null) {
                first = node;
            }
            nodes.add(node);
        }
        return List.copyOf(nodes);
    }

    /** {@code redis://host:port} of a node: no password, for logs and health pages. */
    public static String describe(RedisURI node) {
        return (node.isSsl() ? "rediss://" : "redis://") + node.getHost() + ":" + node.getPort();
    }

    /** The nodes as {@link #describe} shows them, comma-separated. */
    public static String describe(List<RedisURI> nodes) {
        return nodes.stream().map(StoreNodes::describe).collect(Collectors.joining(","));
    }

    private static RedisURI full(String part, String where) {
        if (!(part.startsWith("redis://") || part.startsWith("rediss://"))) {
            throw new IllegalArgumentException(where + " '" + redact(part) + "' must look like redis://host:port"
                    + " (or redis://:password@host:port)");
        }
        RedisURI node;
        try {
            node = RedisURI.create(part);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(where + " '" + redact(part) + "' is not a valid address: " + e.getMessage(), e);
        }
        String afterScheme = part.substring(part.indexOf("://") + 3);
        String hostPart = afterScheme.substring(afterScheme.lastIndexOf('@') + 1);
        if (node.getHost() == null || node.getHost().isBlank() || hostPart.isEmpty() || hostPart.startsWith(":")) {
            throw new IllegalArgumentException(where + " '" + redact(part) + "' has no host");
        }
        checkPort(hostPart, node.getPort(), part, where);
        return node;
    }

    /** {@code host:port} after the first address: the first one's scheme and credentials. */
    private static RedisURI shortForm(String part, RedisURI first, String where) {
        int colon = part.lastIndexOf(':');
        if (colon <= 0 || part.indexOf('@') >= 0 || part.indexOf('/') >= 0) {
            throw new IllegalArgumentException(where + " '" + redact(part) + "' must be host:port or redis://host:port");
        }
        int port = port(part.substring(colon + 1), part, where);
        RedisURI.Builder b = RedisURI.builder().withHost(part.substring(0, colon)).withPort(port)
                .withSsl(first.isSsl()).withDatabase(first.getDatabase());
        if (first.getPassword() != null) {
            if (first.getUsername() != null) {
                b.withAuthentication(first.getUsername(), first.getPassword());
            } else {
                b.withPassword(first.getPassword());
            }
        }
        return b.build();
    }

    private static void checkPort(String hostPart, int parsed, String part, String where) {
        int slash = hostPart.indexOf('/');
        String hostPort = slash < 0 ? hostPart : hostPart.substring(0, slash);
        int colon = hostPort.lastIndexOf(':');
        if (colon >= 0 && !hostPort.endsWith("]")) {
            port(hostPort.substring(colon + 1), part, where);
        } else if (parsed < 1 || parsed > 65535) {
            throw new IllegalArgumentException(where + " '" + redact(part) + "' has a bad port");
        }
    }

    private static int port(String text, String part, String where) {
        try {
            int port = Integer.parseInt(text);
            if (port >= 1 && port <= 65535) {
                return port;
            }
        } catch (NumberFormatException e) {
            // below
        }
        throw new IllegalArgumentException(where + " '" + redact(part) + "' has a bad port '" + text
                + "' (1..65535)");
    }

    /** The text with any password replaced by {@code ***}, for error messages. */
    static String redact(String text) {
        return text.replaceAll("://([^@/,]*)@", "://***@");
    }
}
