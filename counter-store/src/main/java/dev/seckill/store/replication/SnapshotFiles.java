package dev.seckill.store.replication;

import org.apache.ratis.io.MD5Hash;
import org.apache.ratis.util.MD5FileUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.BufferedOutputStream;
import java.io.DataOutput;
import java.io.DataOutputStream;
import java.io.File;
import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.DigestOutputStream;
import java.security.MessageDigest;

/**
 * Snapshot files on disk, durably: a snapshot appears under its final name, with its checksum,
 * only once it is wholly on disk, and a failed write leaves nothing behind.
 *
 * <p>A rename or a deletion is durable only once the directory holding it is fsync'd: without
 * that, a crash can bring back the temporary name (a snapshot Ratis was told about, and purged the
 * log for, would be gone) or a deleted file.
 */
final class SnapshotFiles {
    private static final Logger LOG = LoggerFactory.getLogger(SnapshotFiles.class);
    private static final String TMP = ".tmp";

    /** What goes into a snapshot file. */
    @FunctionalInterface
    interface Body {
        void writeTo(DataOutput out) throws IOException;
    }

    private SnapshotFiles() {
    }

    /**
     * Writes {@code file}: the body to {@code file.tmp} (fsync'd, its MD5 computed on the way), the
     * checksum file, then the rename and the directory's fsync. On any failure the temporary file
     * and the checksum are deleted and the exception is thrown.
     */
    static MD5Hash write(File file, Body body) throws IOException {
        Path dir = file.getParentFile().toPath();
        File tmp = new File(file.getParentFile(), file.getName() + TMP);
        File md5File = MD5FileUtil.getDigestFileForFile(file);
        boolean renamed = false;
        try {
            MessageDigest digest = MD5FileUtil.newMD5();
            try (FileOutputStream fos = new FileOutputStream(tmp);
                 DataOutputStream out = new DataOutputStream(
                         new BufferedOutputStream(new DigestOutputStream(fos, digest), 1 << 16))) {
                body.writeTo(out);
                out.flush();
                fos.getFD().sync();
            }
            MD5Hash md5 = MD5Hash.newInstance(digest.digest());
            // the checksum first: the snapshot's name then appears with it, in one rename
            MD5FileUtil.saveMD5File(file, md5);
            Files.move(tmp.toPath(), file.toPath(), StandardCopyOption.ATOMIC_MOVE);
            renamed = true;
            syncDirectory(dir);
            return md5;
        } catch (IOException | RuntimeException e) {
            if (!renamed) {
                deleteQuietly(tmp, e);
                deleteQuietly(md5File, e);
                deleteQuietly(new File(md5File.getParentFile(), md5File.getName() + TMP), e);
            }
            throw e;
        }
    }

    /**
     * Deletes what a write cut short by a crash left (a temporary snapshot can be as large as the
     * book), then makes the deletions durable.
     */
    static void deleteLeftovers(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return;
        }
        int deleted = 0;
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "snapshot.*" + TMP)) {
            for (Path p : files) {
                LOG.info("deleting {}, left by a snapshot that was not finished", p.getFileName());
                Files.deleteIfExists(p);
                deleted++;
            }
        }
        if (deleted > 0) {
            syncDirectory(dir);
        }
    }

    /** Makes the renames, creations and deletions in {@code dir} durable. */
    static void syncDirectory(Path dir) throws IOException {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        }
    }

    private static void deleteQuietly(File f, Exception cause) {
        try {
            Files.deleteIfExists(f.toPath());
        } catch (IOException e) {
            cause.addSuppressed(e);
        }
    }
}
