package dev.seckill.store.replication;

import dev.seckill.store.StoreConfig;
import dev.seckill.store.command.Op;
import dev.seckill.store.local.LocalClient;
import dev.seckill.store.protocol.Reply;
import dev.seckill.store.server.StoreNode;
import org.apache.ratis.protocol.ClientId;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftClientRequest;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The Raft port of a group of one (the default store, and the one the HTTP service embeds) lets
 * nothing in: it listens on loopback only, refuses every call, and behind that its state machine
 * refuses entries from any client but its own process. Unreadable entries that reach apply anyway
 * are skipped, counted, and skipped again after a restart.
 */
@Timeout(120)
class OneNodeRaftPortTest {
    private static final String SKU = "door";

    @Test
    void aForgedRestockThroughARealRaftClientIsRefusedAndChangesNothing(@TempDir Path dir) throws Exception {
        try (StoreNode node = StoreNode.start(config(dir))) {
            LocalClient client = new LocalClient(node);
            assertThat(answer(client, "INV.CREATE", SKU, "10")).isEqualTo(Reply.OK);

            ForgedRaftClient.Outcome outcome = ForgedRaftClient.send(Map.of("n1", node.group().raftAddress()),
                    TestEntries.entry(Op.INV_RESTOCK, SKU, "1000"), null);

            assertThat(outcome.committed()).as("forged restock: %s", outcome).isFalse();
            assertThat(available(client, SKU)).as("the stock is unchanged").isEqualTo(10);
            assertThat(node.group().raftCallsRefused()).isPositive();
            assertThat(node.info("replication")).contains("raft_security:closed");
        }
    }

    @Test
    void behindThePortTheStateMachineTakesEntriesFromItsOwnProcessOnly(@TempDir Path dir) throws Exception {
        try (StoreNode node = StoreNode.start(config(dir))) {
            LocalClient client = new LocalClient(node);
            assertThat(answer(client, "INV.CREATE", SKU, "10")).isEqualTo(Reply.OK);
            ShardGroup group = node.group();
            // straight into the server, as a call the port let through would arrive
            RaftClientRequest forged = RaftClientRequest.newBuilder()
                    .setClientId(ClientId.randomId())
                    .setServerId(RaftPeerId.valueOf("n1"))
                    .setGroupId(ForgedRaftClient.GROUP)
                    .setCallId(1)
                    .setMessage(Message.valueOf(ByteString.copyFrom(TestEntries.entry(Op.INV_RESTOCK, SKU, "1000"))))
                    .setType(RaftClientRequest.writeRequestType())
                    .build();
            RaftClientReply reply = group.server().submitClientRequestAsync(forged).get(30, TimeUnit.SECONDS);

            assertThat(reply.isSuccess()).isFalse();
            assertThat(reply.getException()).hasMessageContaining("takes entries from its own process only");
            assertThat(group.stateMachine().refusedEntries()).isEqualTo(1);
            assertThat(available(client, SKU)).isEqualTo(10);
            assertThat(answer(client, "INV.RESTOCK", SKU, "5")).as("its own writes go on").isEqualTo(new Reply.Int(15));
        }
    }

    @Test
    void theRaftPortListensOnLoopbackOnlyNotOnEveryInterface(@TempDir Path dir) throws Exception {
        try (StoreNode node = StoreNode.start(config(dir))) {
            String address = node.group().raftAddress();
            assertThat(address).startsWith("127.0.0.1:");
            int port = Integer.parseInt(address.substring(address.indexOf(':') + 1));
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 2_000);
            }
            // 127.0.0.2 reaches this machine too, but only a socket bound to every address answers it
            assertThatThrownBy(() -> {
                try (Socket s = new Socket()) {
                    s.connect(new InetSocketAddress("127.0.0.2", port), 2_000);
                }
            }).isInstanceOf(ConnectException.class);
        }
    }

    @Test
    void anUnreadableEntryIsSkippedWholeCountedAndSkippedAgainAfterARestart(@TempDir Path dir) throws Exception {
        StoreConfig config = config(dir);
        try (StoreNode node = StoreNode.start(config)) {
            LocalClient client = new LocalClient(node);
            assertThat(answer(client, "INV.CREATE", SKU, "10")).isEqualTo(Reply.OK);
            // a readable restock, then an op code no version knows, in one entry: none of it applies
            byte[] bad = concat(TestEntries.entry(Op.INV_RESTOCK, SKU, "1000"), TestEntries.entry(250));
            appendBelowValidation(node.group(), bad);

            assertThat(node.group().stateMachine().skippedEntries()).isEqualTo(1);
            assertThat(node.info("persistence")).contains("log_entries_skipped:1");
            assertThat(available(client, SKU)).as("not half of it either").isEqualTo(10);
            assertThat(answer(client, "INV.RESTOCK", SKU, "1")).isEqualTo(new Reply.Int(11));
        }
        // a clean stop snapshots the state; without its snapshot (as after kill -9 before the first
        // one) the node reads the whole log back at start, the damaged entry with it
        deleteSnapshots(dir);
        try (StoreNode node = StoreNode.start(config)) {
            LocalClient client = new LocalClient(node);
            assertThat(answer(client, "INV.RESTOCK", SKU, "1")).as("serves after reading the log back")
                    .isEqualTo(new Reply.Int(12));
            assertThat(node.group().stateMachine().skippedEntries()).as("the same entry, skipped again").isEqualTo(1);
        }
    }

    /**
     * Puts {@code entry} into the log past {@code startTransaction}'s checks, as an entry written
     * by an older version or damaged on disk reaches apply, and waits until it is applied.
     */
    static void appendBelowValidation(ShardGroup group, byte[] entry) throws Exception {
        group.stateMachine().acceptUncheckedForTest(entry);
        RaftClientRequest request = RaftClientRequest.newBuilder()
                .setClientId(ClientId.randomId())
                .setServerId(RaftPeerId.valueOf(group.nodeId()))
                .setGroupId(ForgedRaftClient.GROUP)
                .setCallId(1)
                .setMessage(Message.valueOf(ByteString.copyFrom(entry)))
                .setType(RaftClientRequest.writeRequestType())
                .build();
        RaftClientReply reply = group.server().submitClientRequestAsync(request).get(30, TimeUnit.SECONDS);
        assertThat(reply.isSuccess()).as("the damaged entry committed: %s", reply.getException()).isTrue();
    }

    /** Removes every snapshot under a node's data directory. */
    static void deleteSnapshots(Path dataDir) throws IOException {
        try (Stream<Path> files = Files.walk(dataDir.resolve("raft"))) {
            for (Path f : files.filter(p -> p.getFileName().toString().startsWith("snapshot.")).toList()) {
                Files.delete(f);
            }
        }
    }

    /** Two one-command entries as one entry of two commands. */
    static byte[] concat(byte[] first, byte[] second) {
        int h = LogEntryFormat.HEADER_BYTES;
        byte[] out = new byte[first.length + second.length - h];
        System.arraycopy(first, 0, out, 0, first.length);
        System.arraycopy(second, h, out, first.length, second.length - h);
        out[LogEntryFormat.COUNT_AT + 3] = 2;
        return out;
    }

    static StoreConfig config(Path dir) {
        return StoreConfig.defaults().withPort(0).withDataDir(dir).toBuilder().bindHost("127.0.0.1").build();
    }

    static Reply answer(LocalClient client, String... words) throws Exception {
        return client.send(words).get(30, TimeUnit.SECONDS);
    }

    /** The available count of a SKU, from INV.GET. */
    static long available(LocalClient client, String sku) throws Exception {
        Reply r = answer(client, "INV.GET", sku);
        var items = ((Reply.MapReply) r).keysAndValues();
        for (int i = 0; i < items.size(); i += 2) {
            if (items.get(i) instanceof Reply.Bulk b && b.text().equals("available")) {
                return ((Reply.Int) items.get(i + 1)).value();
            }
        }
        throw new AssertionError("no available in " + r);
    }

}
