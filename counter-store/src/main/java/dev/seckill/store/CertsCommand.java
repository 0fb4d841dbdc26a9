package dev.seckill.store;

import dev.seckill.store.replication.ShardGroup;
import dev.seckill.store.tls.ClusterCertificates;
import dev.seckill.store.tls.ClusterCertificates.Signed;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code counter-store certs --out DIR --peers LIST}: the TLS material of a group's Raft ports. A
 * cluster CA in {@code DIR} (made on the first run, reused after, so a node can be added or its
 * certificate renewed without touching the others), and per member {@code DIR/<id>/} with its
 * key, its certificate naming the host its peers dial (from {@code --peers}), and the CA
 * certificate. Exit codes: 0 written, 1 could not write, 2 bad options.
 */
@Command(name = "certs", mixinStandardHelpOptions = true, sortOptions = false, usageHelpWidth = 100,
        description = {"Makes the mutual-TLS material of a group's Raft ports: a cluster CA (DIR/ca.crt, "
                + "DIR/ca.key; reused when present) and per member DIR/<id>/node.crt, node.key, ca.crt.",
                "Copy DIR/<id>/ to member <id> only; keep DIR/ca.key off the nodes."})
final class CertsCommand implements Callable<Integer> {
    @Option(names = "--out", paramLabel = "DIR", required = true, description = "where the CA and member directories go")
    Path out;

    @Option(names = "--peers", paramLabel = "LIST", split = ",", required = true,
            description = "id=host:raftport,... exactly as the members' --peers: each certificate names its host")
    List<String> peers = new ArrayList<>();

    @Option(names = "--days", paramLabel = "N", description = "validity of the member certificates (default ${DEFAULT-VALUE})")
    int days = 825;

    @Override
    public Integer call() {
        List<ShardGroup.Peer> members = new ArrayList<>();
        try {
            for (String p : peers) {
                members.add(ShardGroup.Peer.parse(p.trim()));
            }
            if (days < 1 || days > 3650) {
                throw new IllegalArgumentException("--days must be 1..3650, got " + days);
            }
        } catch (IllegalArgumentException e) {
            System.err.println("counter-store certs: " + e.getMessage());
            return CounterStoreMain.BAD_INPUT;
        }
        try {
            Signed ca = ClusterCertificates.readAuthority(out);
            if (ca == null) {
                ca = ClusterCertificates.newAuthority("seckill counter-store cluster", ClusterCertificates.CA_VALIDITY);
                ClusterCertificates.writeAuthority(out, ca);
                System.out.println("new cluster CA: " + out.resolve(ClusterCertificates.CA_CERT)
                        + " (its key " + out.resolve(ClusterCertificates.CA_KEY) + " stays here, off the nodes)");
            } else {
                System.out.println("signing with the cluster CA in " + out);
            }
            for (ShardGroup.Peer p : members) {
                Signed node = ClusterCertificates.issue(ca, p.id(), List.of(p.host()), Duration.ofDays(days));
                Path dir = out.resolve(p.id());
                ClusterCertificates.writeNode(dir, node, ca);
                System.out.println(p.id() + " (" + p.host() + "): --raft-tls-cert-file "
                        + dir.resolve(ClusterCertificates.NODE_CERT) + " --raft-tls-key-file "
                        + dir.resolve(ClusterCertificates.NODE_KEY) + " --raft-tls-ca-file "
                        + dir.resolve(ClusterCertificates.CA_CERT));
            }
            return 0;
        } catch (IllegalArgumentException e) {
            System.err.println("counter-store certs: " + e.getMessage());
            return CounterStoreMain.BAD_INPUT;
        } catch (IOException e) {
            System.err.println("counter-store certs: " + e.getMessage());
            return 1;
        }
    }
}
