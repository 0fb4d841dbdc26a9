package dev.seckill.store.replication;

import org.apache.ratis.util.MD5FileUtil;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SnapshotFilesTest {
    @TempDir
    Path dir;

    @Test
    void aWrittenSnapshotHasItsChecksumAndNoTemporaryFile() throws IOException {
        File file = dir.resolve("snapshot.1_10").toFile();
        var md5 = SnapshotFiles.write(file, out -> out.write(new byte[300_000]));
        assertThat(file).hasSize(300_000);
        assertThat(MD5FileUtil.readStoredMd5ForFile(file)).isEqualTo(md5).isEqualTo(MD5FileUtil.computeMd5ForFile(file));
        assertThat(names()).containsExactlyInAnyOrder("snapshot.1_10", "snapshot.1_10.md5");
    }

    @Test
    void aSnapshotThatFailsHalfWayLeavesNothingBehind() {
        File file = dir.resolve("snapshot.1_20").toFile();
        assertThatThrownBy(() -> SnapshotFiles.write(file, out -> {
            out.write(new byte[200_000]);
            throw new IOException("No space left on device");
        })).hasMessage("No space left on device");
        assertThat(names()).isEmpty();
    }

    @Test
    void whatACrashLeftHalfWrittenIsDeletedAtStart() throws IOException {
        Files.write(dir.resolve("snapshot.1_30.tmp"), new byte[1000]);
        Files.write(dir.resolve("snapshot.1_30.md5.tmp"), new byte[10]);
        Files.write(dir.resolve("snapshot.1_20"), new byte[10]);
        SnapshotFiles.deleteLeftovers(dir);
        assertThat(names()).containsExactly("snapshot.1_20");
    }

    @Test
    void theBackoffDoublesFromOneSecondToAMinuteAndIsGoneAfterASuccess() {
        SnapshotAlarm alarm = SnapshotAlarm.NONE;
        assertThat(alarm.backoffMillis()).isZero();
        long[] expected = {1_000, 2_000, 4_000, 8_000, 16_000, 32_000, 60_000, 60_000};
        for (int i = 0; i < 40; i++) {
            alarm = alarm.failed(new IOException("disk\nfull"), 5_000 + i);
            assertThat(alarm.backoffMillis()).isEqualTo(expected[Math.min(i, expected.length - 1)]);
        }
        assertThat(alarm.failing()).isTrue();
        assertThat(alarm.failingSinceMillis()).as("the first failure of the run").isEqualTo(5_000);
        assertThat(alarm.lastError()).isEqualTo("IOException: disk full");
        alarm = alarm.succeeded();
        assertThat(alarm.failing()).isFalse();
        assertThat(alarm.backoffMillis()).isZero();
        assertThat(alarm.failingSinceMillis()).isZero();
        assertThat(alarm.failuresTotal()).isEqualTo(40);
        assertThat(alarm.failed(new IOException("again"), 9_000).failingSinceMillis()).isEqualTo(9_000);
    }

    private List<String> names() {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
