package dev.seckill.store.replication;

import dev.seckill.store.command.Op;
import dev.seckill.store.local.LocalClient;
import dev.seckill.store.protocol.Reply;
import dev.seckill.store.server.StoreNode;
import dev.seckill.store.tls.ClusterCertificates;
import dev.seckill.store.tls.ClusterCertificates.Signed;
import org.apache.ratis.grpc.GrpcTlsConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;

import static dev.seckill.store.replication.OneNodeRaftPortTest.answer;
import static dev.seckill.store.replication.OneNodeRaftPortTest.available;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * A group of three whose Raft ports talk mutual TLS: members replicate and forward through it;
 * a client without a certificate, or with one another CA signed, cannot open a Raft call at all;
 * a holder of a member certificate still cannot get an unreadable entry into the log; and an
 * unreadable entry that reaches the log anyway is skipped by every replica, and again by a node
 * that reads its log back after a restart.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(180)
class MutualTlsGroupTest {
    private static final String SKU = "tls-sku";

    private TlsGroup group;

    @BeforeAll
    void startGroup(@TempDir Path dir) {
        group = new TlsGroup(dir).start();
        group.awaitLeader();
    }

    @AfterAll
    void stopGroup() {
        if (group != null) {
            group.close();
        }
    }

    @Test
    @Order(1)
    void membersReplicateAndAFollowersWritesReachEveryReplica() throws Exception {
        String leader = group.awaitLeader();
        String follower = TlsGroup.IDS.stream().filter(id -> !id.equals(leader)).findFirst().orElseThrow();
        assertThat(group.node(follower).info("replication")).contains("raft_security:mutual-tls");

        assertThat(answer(new LocalClient(group.node(follower)), "INV.CREATE", SKU, "10"))
                .as("written on a follower, forwarded to the leader over TLS").isEqualTo(Reply.OK);
        for (String id : TlsGroup.IDS) {
            LocalClient c = new LocalClient(group.node(id));
            await(id + " has the SKU").atMost(Duration.ofSeconds(30)).until(() -> available(c, SKU) == 10);
        }
    }

    @Test
    @Order(2)
    void clientsWithoutAMemberCertificateCannotOpenARaftCall() throws Exception {
        byte[] restock = TestEntries.entry(Op.INV_RESTOCK, SKU, "1000");
        X509Certificate clusterCa = group.ca.certificate();
        Signed otherCa = ClusterCertificates.newAuthority("other", Duration.ofDays(1));
        Signed foreign = ClusterCertificates.issue(otherCa, "n1", List.of("127.0.0.1"), Duration.ofDays(1));

        GrpcTlsConfig noCertificate = new GrpcTlsConfig((PrivateKey) null, (X509Certificate) null, clusterCa, false);
        GrpcTlsConfig otherCaCertificate = new GrpcTlsConfig(
                new InsistentKeyManager(foreign.key(), foreign.certificate()), trusting(clusterCa), true);
        assertRefused("plaintext", ForgedRaftClient.send(group.raftAddresses(), restock, null));
        assertRefused("TLS without a client certificate",
                ForgedRaftClient.send(group.raftAddresses(), restock, noCertificate));
        assertRefused("a certificate from another CA",
                ForgedRaftClient.send(group.raftAddresses(), restock, otherCaCertificate));
        for (String id : TlsGroup.IDS) {
            assertThat(available(new LocalClient(group.node(id)), SKU)).as("stock on %s", id).isEqualTo(10);
        }

        // the same entry with a member's certificate goes in: the refusals above were the certificates'
        ForgedRaftClient.Outcome member = ForgedRaftClient.send(group.raftAddresses(),
                TestEntries.entry(Op.INV_RESTOCK, SKU, "5"), group.memberTls("n2").grpcConfig());
        assertThat(member.committed()).as("member: %s", member).isTrue();
        LocalClient any = new LocalClient(group.node(group.awaitLeader()));
        assertThat(available(any, SKU)).isEqualTo(15);
    }

    @Test
    @Order(3)
    void aMemberCannotGetAnUnreadableEntryIntoTheLog() throws Exception {
        String leader = group.awaitLeader();
        long refusedBefore = group.node(leader).group().stateMachine().refusedEntries();
        long committedBefore = group.node(leader).group().commitIndex();
        GrpcTlsConfig member = group.memberTls("n3").grpcConfig();

        ForgedRaftClient.Outcome unknownOp = ForgedRaftClient.send(group.raftAddresses(), TestEntries.entry(250), member);
        assertThat(unknownOp.committed()).as("unknown op code: %s", unknownOp).isFalse();
        assertThat(String.valueOf(unknownOp)).contains("unknown op code 250");

        ForgedRaftClient.Outcome unparsable = ForgedRaftClient.send(group.raftAddresses(),
                TestEntries.entry(Op.INV_RESTOCK, SKU, "lots"), member);
        assertThat(unparsable.committed()).as("unparsable: %s", unparsable).isFalse();
        assertThat(String.valueOf(unparsable)).contains("does not parse");

        StoreNode leaderNode = group.node(leader);
        assertThat(leaderNode.group().stateMachine().refusedEntries()).isEqualTo(refusedBefore + 2);
        assertThat(leaderNode.group().commitIndex()).as("nothing appended").isEqualTo(committedBefore);
        for (String id : TlsGroup.IDS) {
            StoreNode n = group.node(id);
            assertThat(n.group().stateMachine().skippedEntries()).isZero();
            assertThat(available(new LocalClient(n), SKU)).isEqualTo(15);
        }
    }

    @Test
    @Order(4)
    void raftPortsListenOnTheirPeerAddressOnly() throws Exception {
        for (String id : TlsGroup.IDS) {
            int port = group.raftPort(id);
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 2_000);
            }
            assertThatThrownBy(() -> {
                try (Socket s = new Socket()) {
                    s.connect(new InetSocketAddress("127.0.0.2", port), 2_000);
                }
            }).as("%s's Raft port on 127.0.0.2", id).isInstanceOf(ConnectException.class);
        }
    }

    @Test
    @Order(5)
    void anUnreadableEntryIsSkippedByEveryReplicaAndAgainAfterARestartThenTheGroupFailsOver() throws Exception {
        String leader = group.awaitLeader();
        byte[] bad = OneNodeRaftPortTest.concat(TestEntries.entry(Op.INV_RESTOCK, SKU, "1000"), TestEntries.entry(250));
        OneNodeRaftPortTest.appendBelowValidation(group.node(leader).group(), bad);
        for (String id : TlsGroup.IDS) {
            StoreNode n = group.node(id);
            await(id + " skipped it").atMost(Duration.ofSeconds(30))
                    .until(() -> n.group().stateMachine().skippedEntries() == 1);
            assertThat(n.info("persistence")).contains("log_entries_skipped:1");
            assertThat(available(new LocalClient(n), SKU)).as("nothing of it on %s", id).isEqualTo(15);
        }

        // the leader dies; the other two elect a new one and serve
        group.stop(leader);
        String next = group.awaitLeader();
        assertThat(next).isNotEqualTo(leader);
        String survivor = group.running().stream().filter(id -> !id.equals(next)).findFirst().orElseThrow();
        assertThat(answer(new LocalClient(group.node(survivor)), "INV.RESTOCK", SKU, "1"))
                .as("a write on a follower of the new leader").isEqualTo(new Reply.Int(16));

        // the old leader comes back without its snapshot: it reads its log back, skips the same
        // entry again, catches up and serves
        OneNodeRaftPortTest.deleteSnapshots(group.dataDir(leader));
        group.start(leader);
        StoreNode back = group.node(leader);
        LocalClient client = new LocalClient(back);
        await("the restarted node caught up").atMost(Duration.ofSeconds(60)).until(() -> available(client, SKU) == 16);
        assertThat(back.group().stateMachine().skippedEntries()).isEqualTo(1);
        assertThat(answer(client, "INV.RESTOCK", SKU, "1")).isEqualTo(new Reply.Int(17));
    }

    private static TrustManager trusting(X509Certificate ca) throws Exception {
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        store.setCertificateEntry("ca", ca);
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(store);
        return tmf.getTrustManagers()[0];
    }

    private static void assertRefused(String who, ForgedRaftClient.Outcome outcome) {
        System.out.printf("%s: %s%n", who, outcome);
        assertThat(outcome.committed()).as("%s: %s", who, outcome).isFalse();
        assertThat(outcome.reply()).as("%s never got a Raft reply: %s", who, outcome).isNull();
    }
}
