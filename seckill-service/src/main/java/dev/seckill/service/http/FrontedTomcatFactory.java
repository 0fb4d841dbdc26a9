package dev.seckill.service.http;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.web.embedded.tomcat.TomcatServletWebServerFactory;
import org.springframework.boot.web.embedded.tomcat.TomcatWebServer;
import org.springframework.boot.web.server.GracefulShutdownCallback;
import org.springframework.boot.web.server.WebServer;
import org.springframework.boot.web.server.WebServerException;
import org.springframework.boot.web.servlet.ServletContextInitializer;

import java.net.InetAddress;

/**
 * Tomcat as Spring Boot makes it (every {@code server.*} property and customizer applies), but
 * listening on a free loopback port, with the {@link FrontDoor} on the configured address and
 * {@code server.port} in front of it. The web server the application sees is the pair: it starts
 * and stops both, and its port is the front door's, so whatever asks for "the port" (the start
 * banner, tests, {@code local.server.port}) gets the one clients use.
 * <p>
 * TLS and HTTP/2 are Tomcat's: with either configured, Tomcat listens itself as before.
 */
final class FrontedTomcatFactory extends TomcatServletWebServerFactory {
    private static final Logger LOG = LoggerFactory.getLogger(FrontedTomcatFactory.class);

    private final ObjectProvider<FrontDoor> door;

    FrontedTomcatFactory(ObjectProvider<FrontDoor> door) {
        this.door = door;
    }

    @Override
    public WebServer getWebServer(ServletContextInitializer... initializers) {
        int port = getPort();
        InetAddress address = getAddress();
        boolean tls = getSsl() != null && getSsl().isEnabled();
        boolean h2 = getHttp2() != null && getHttp2().isEnabled();
        if (port < 0 || tls || h2) {
            if (tls || h2) {
                LOG.warn("server.ssl or server.http2 is set: Tomcat listens itself, without the front door");
            }
            return super.getWebServer(initializers);
        }
        setPort(0);
        setAddress(InetAddress.getLoopbackAddress());
        return new Fronted((TomcatWebServer) super.getWebServer(initializers), door, address, port, getContextPath());
    }

    /** Tomcat with the front door before it. */
    static final class Fronted implements WebServer {
        private final TomcatWebServer tomcat;
        private final ObjectProvider<FrontDoor> doorProvider;
        private final InetAddress address;
        private final int port;
        private final String contextPath;
        private FrontDoor door;

        Fronted(TomcatWebServer tomcat, ObjectProvider<FrontDoor> door, InetAddress address, int port, String contextPath) {
            this.tomcat = tomcat;
            this.doorProvider = door;
            this.address = address;
            this.port = port;
            this.contextPath = contextPath;
        }

        @Override
        public void start() throws WebServerException {
            tomcat.start();
            if (door == null) {
                door = doorProvider.getObject(); // the application's beans exist by now
            }
            try {
                door.open(address, port, tomcat.getPort(), contextPath);
            } catch (RuntimeException e) {
                throw new WebServerException("the HTTP front door could not listen on port " + port, e);
            }
        }

        @Override
        public void stop() throws WebServerException {
            if (door != null) {
                door.close();
            }
            tomcat.stop();
        }

        @Override
        public int getPort() {
            return door == null ? -1 : door.port();
        }

        @Override
        public void shutDownGracefully(GracefulShutdownCallback callback) {
            if (door != null) {
                door.stopAccepting();
            }
            tomcat.shutDownGracefully(callback);
        }

        @Override
        public void destroy() throws WebServerException {
            tomcat.destroy();
        }

        /** Tomcat behind the door (its own port is a loopback one). */
        TomcatWebServer tomcat() {
            return tomcat;
        }
    }
}
