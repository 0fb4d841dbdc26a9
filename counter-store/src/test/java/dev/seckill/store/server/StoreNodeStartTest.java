package dev.seckill.store.server;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

/** {@code StoreNode.start} returns once the node serves: the very first write succeeds. */
@Timeout(60)
class StoreNodeStartTest {
    @RepeatedTest(3)
    void theFirstWriteRightAfterStartIsAccepted(@TempDir Path dataDir) throws Exception {
        try (TestStore store = TestStore.start(dataDir); RespSocket s = store.socket()) {
            assertThat(s.call("INV.CREATE", "first", "1")).isEqualTo("OK");
        }
    }
}
