package dev.seckill.store.replication;

import org.apache.ratis.client.RaftClient;
import org.apache.ratis.client.RaftClientConfigKeys;
import org.apache.ratis.conf.Parameters;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.grpc.GrpcConfigKeys;
import org.apache.ratis.grpc.GrpcTlsConfig;
import org.apache.ratis.protocol.ClientId;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.retry.RetryPolicies;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.apache.ratis.util.TimeDuration;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * A real Ratis client, used as someone who is not the store would use it: it knows the group id
 * (derived from a fixed name, as anyone can derive it) and the Raft addresses, and sends a log
 * entry of its choosing. With {@code tls} it talks TLS with whatever key and trust it is given.
 */
public final class ForgedRaftClient {
    /** The group id, derived as the store derives it: nothing secret about it. */
    public static final RaftGroupId GROUP = RaftGroupId.valueOf(
            UUID.nameUUIDFromBytes("seckill-counter-store/shard-0".getBytes(StandardCharsets.UTF_8)));

    private ForgedRaftClient() {
    }

    /** What a send gave: the reply, or why it failed. */
    public record Outcome(RaftClientReply reply, Throwable failure) {
        /** True only if the entry was committed (and so applied). */
        public boolean committed() {
            return reply != null && reply.isSuccess();
        }

        @Override
        public String toString() {
            if (reply != null) {
                return "reply success=" + reply.isSuccess() + " exception=" + reply.getException();
            }
            Throwable root = failure;
            while (root.getCause() != null && root.getCause() != root) {
                root = root.getCause();
            }
            return "failure " + failure.getClass().getSimpleName() + ", at the root: " + root;
        }
    }

    /**
     * Sends {@code entry} as a write to the group whose members are {@code peers} (id to
     * host:port), trying a few times within a few seconds.
     */
    public static Outcome send(Map<String, String> peers, byte[] entry, GrpcTlsConfig tls) {
        List<RaftPeer> members = new ArrayList<>();
        peers.forEach((id, address) -> members.add(RaftPeer.newBuilder().setId(id).setAddress(address).build()));
        RaftProperties properties = new RaftProperties();
        RaftClientConfigKeys.Rpc.setRequestTimeout(properties, TimeDuration.valueOf(3, TimeUnit.SECONDS));
        Parameters parameters = new Parameters();
        if (tls != null) {
            GrpcConfigKeys.Client.setTlsConf(parameters, tls);
            GrpcConfigKeys.Admin.setTlsConf(parameters, tls);
        }
        try (RaftClient client = RaftClient.newBuilder()
                .setClientId(ClientId.randomId())
                .setRaftGroup(RaftGroup.valueOf(GROUP, members))
                .setProperties(properties)
                .setParameters(parameters)
                .setRetryPolicy(RetryPolicies.retryUpToMaximumCountWithFixedSleep(4,
                        TimeDuration.valueOf(200, TimeUnit.MILLISECONDS)))
                .build()) {
            try {
                return new Outcome(client.io().send(Message.valueOf(ByteString.copyFrom(entry))), null);
            } catch (IOException | RuntimeException e) {
                return new Outcome(null, e);
            }
        } catch (IOException e) {
            return new Outcome(null, e);
        }
    }
}
