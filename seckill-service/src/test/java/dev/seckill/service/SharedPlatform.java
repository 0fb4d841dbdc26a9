package dev.seckill.service;

import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * One embedded platform shared by every test class that asks for it (starting one takes
 * seconds), closed and deleted when the whole test run ends. Tests keep out of each other's way
 * by using their own sale ids ({@link TestPlatform#unique}).
 */
public final class SharedPlatform implements ParameterResolver {

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == TestPlatform.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        return context.getRoot().getStore(ExtensionContext.Namespace.GLOBAL)
                .getOrComputeIfAbsent(Running.class, k -> Running.start(), Running.class).platform;
    }

    /** The platform and its directory; JUnit closes it at the end of the run. */
    static final class Running implements ExtensionContext.Store.CloseableResource {
        final Path dir;
        final TestPlatform platform;

        private Running(Path dir, TestPlatform platform) {
            this.dir = dir;
            this.platform = platform;
        }

        static Running start() {
            try {
                Path dir = Files.createTempDirectory("seckill-service-test");
                return new Running(dir, TestPlatform.start(dir));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public void close() throws IOException {
            platform.close();
            deleteTree(dir);
        }
    }

    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
