#!/usr/bin/env bash
# A production-shaped platform on one machine, for rehearsals: three counter-store nodes in one
# Raft group, the inventory sync as its own process, and the seckill-service using both and a
# real MariaDB/MySQL. Each part is a separate JVM, so any one can be killed with kill -9 and
# started again, as in production.
#
#   deploy/local-cluster.sh up              start what is not running (the jars must be built)
#   deploy/local-cluster.sh status          roles, leader, log position, sync lag, service health
#   deploy/local-cluster.sh kill n2         kill -9 one store node (or: sync, service)
#   deploy/local-cluster.sh start n2        start it again on the same data
#   deploy/local-cluster.sh down            SIGTERM everything, wait for each to exit
#
# The store nodes' Raft ports talk mutual TLS: the first start makes a cluster CA and a certificate
# per node with the store jar's certs command, under $CLUSTER_DIR/tls (kept for later starts).
#
# Environment (defaults in brackets):
#   CLUSTER_DIR [./data/cluster]   data, logs, pid files, tokens.env, tls/
#   JDBC_URL [jdbc:mariadb://127.0.0.1:3306/seckill_rehearsal]  the database must exist
#   JDBC_USER [root]  JDBC_PASSWORD []
#   STORE_PORTS [7001 7002 7003]   RESP ports of n1..n3; Raft ports are these + 100
#   SERVICE_PORT [8080]            the sync and the service get all three store addresses, n1 first
#   STORE_JAVA_OPTS [-Xms1g -Xmx1g]
set -euo pipefail
cd "$(dirname "$0")/.."
DIR=${CLUSTER_DIR:-./data/cluster}
JDBC_URL=${JDBC_URL:-jdbc:mariadb://127.0.0.1:3306/seckill_rehearsal}
JDBC_USER=${JDBC_USER:-root}
JDBC_PASSWORD=${JDBC_PASSWORD:-}
read -r -a PORTS <<< "${STORE_PORTS:-7001 7002 7003}"
SERVICE_PORT=${SERVICE_PORT:-8080}
NODES=(n1 n2 n3)

STORE_JAR=counter-store/target/counter-store.jar
SYNC_JAR=inventory-sync/target/inventory-sync.jar
SERVICE_JAR=seckill-service/target/seckill-service.jar

die() { echo "local-cluster: $*" >&2; exit 2; }
port_of() { local i=${1#n}; echo "${PORTS[$((i - 1))]}"; }
pid_of() { [ -f "$DIR/pids/$1.pid" ] && cat "$DIR/pids/$1.pid" || true; }
running() { local p; p=$(pid_of "$1"); [ -n "$p" ] && kill -0 "$p" 2>/dev/null; }
peers() {
  local list="" n
  for n in "${NODES[@]}"; do list+="${list:+,}$n=127.0.0.1:$(( $(port_of "$n") + 100 ))"; done
  echo "$list"
}

store_addresses() { # redis://127.0.0.1:7001,127.0.0.1:7002,127.0.0.1:7003: each node, n1 first
  local list="" n
  for n in "${NODES[@]}"; do list+="${list:+,}127.0.0.1:$(port_of "$n")"; done
  echo "redis://$list"
}

launch() { # name, command...: in the background, its output in logs/<name>.log
  local name=$1; shift
  "$@" >> "$DIR/logs/$name.log" 2>&1 &
  echo $! > "$DIR/pids/$name.pid"
  echo "started $name (pid $!, log $DIR/logs/$name.log)"
}

wait_for() { # what, seconds, test command...
  local what=$1 secs=$2; shift 2
  for _ in $(seq 1 $((secs * 5))); do "$@" >/dev/null 2>&1 && return 0; sleep 0.2; done
  die "$what did not come up in ${secs}s (see $DIR/logs)"
}

certificates() { # the cluster CA and every node's key and certificate, made once
  local n missing=""
  for n in "${NODES[@]}"; do [ -f "$DIR/tls/$n/node.key" ] || missing=yes; done
  [ -z "$missing" ] && return
  java -jar "$STORE_JAR" certs --out "$DIR/tls" --peers "$(peers)" >> "$DIR/logs/certs.log" 2>&1 \
    || die "counter-store certs failed (see $DIR/logs/certs.log)"
  echo "made the Raft TLS material in $DIR/tls (the CA key $DIR/tls/ca.key signs new nodes)"
}

start_node() {
  local n=$1
  running "$n" && { echo "$n is running"; return; }
  certificates
  launch "$n" java ${STORE_JAVA_OPTS:--Xms1g -Xmx1g} -jar "$STORE_JAR" --port "$(port_of "$n")" --bind 127.0.0.1 \
    --data-dir "$DIR/$n" --node-id "$n" --peers "$(peers)" \
    --raft-tls-cert-file "$DIR/tls/$n/node.crt" --raft-tls-key-file "$DIR/tls/$n/node.key" \
    --raft-tls-ca-file "$DIR/tls/$n/ca.crt"
}

tokens() {
  if [ ! -f "$DIR/tokens.env" ]; then
    umask 077
    { echo "SECKILL_SERVICE_TOKEN=svc-$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')"
      echo "SECKILL_ADMIN_TOKEN=adm-$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')"; } > "$DIR/tokens.env"
  fi
  # shellcheck disable=SC1091
  . "$DIR/tokens.env"
  export SECKILL_SERVICE_TOKEN SECKILL_ADMIN_TOKEN
}

start_sync() {
  running sync && { echo "sync is running"; return; }
  launch sync java -Xmx512m -jar "$SYNC_JAR" sync --migrate --store "$(store_addresses)" \
    --jdbc-url "$JDBC_URL" --jdbc-user "$JDBC_USER" --jdbc-password "$JDBC_PASSWORD"
}

start_service() {
  running service && { echo "service is running"; return; }
  tokens
  launch service java -Xmx1g -jar "$SERVICE_JAR" --server.port="$SERVICE_PORT" \
    --store.uri="$(store_addresses)" --seckill.sync.enabled=false \
    --spring.datasource.url="$JDBC_URL" --spring.datasource.username="$JDBC_USER" \
    --spring.datasource.password="$JDBC_PASSWORD"
}

leader_known() { # some running node names a leader
  local n
  for n in "${NODES[@]}"; do
    running "$n" && redis-cli -p "$(port_of "$n")" INFO replication 2>/dev/null | grep -q '^raft_leader:n' && return 0
  done
  return 1
}

up() {
  for j in "$STORE_JAR" "$SYNC_JAR" "$SERVICE_JAR"; do
    [ -f "$j" ] || die "$j is missing: build first with ./mvnw -q -DskipTests package"
  done
  command -v redis-cli >/dev/null || die "redis-cli is missing (apt-get install redis-tools)"
  mkdir -p "$DIR/logs" "$DIR/pids"
  for n in "${NODES[@]}"; do start_node "$n"; done
  wait_for "a store leader" 60 leader_known
  start_sync
  start_service
  wait_for "the service" 90 curl -fsS "http://127.0.0.1:$SERVICE_PORT/actuator/health"
  echo
  echo "dashboard: http://127.0.0.1:$SERVICE_PORT/admin/   tokens: $DIR/tokens.env"
  status
}

status() {
  local n p
  for n in "${NODES[@]}"; do
    p=$(port_of "$n")
    if running "$n"; then
      redis-cli -p "$p" INFO 2>/dev/null | tr -d '\r' | awk -v n="$n" -v p="$p" -F: '
          /^raft_role:/ {r=$2} /^raft_leader:/ {l=$2} /^log_commit_index:/ {i=$2}
          /^feed_last_seq:/ {f=$2} /^feed_acked_seq:/ {a=$2} /^raft_security:/ {s=$2}
          END { printf "%-8s port %-5s %-9s leader %-4s commit %-9s feed not yet in the RDS %-6s raft %s\n", n, p, r, l, i, f - a, s }'
    else
      printf "%-8s port %-5s down\n" "$n" "$p"
    fi
  done
  running sync && echo "sync     running (pid $(pid_of sync))" || echo "sync     down"
  if running service; then
    local health
    health=$(curl -s "http://127.0.0.1:$SERVICE_PORT/actuator/health")
    echo "service  uses store node $(echo "$health" | grep -o '"store":{[^}]*"uri":"[^"]*"' | grep -o 'redis://[^"]*' || echo '?')"
    echo "service  $(echo "$health" | head -c 300)"
  else
    echo "service  down"
  fi
}

stop_one() { # SIGTERM, then wait up to 30 s
  local name=$1 p
  p=$(pid_of "$name")
  if [ -n "$p" ] && kill -0 "$p" 2>/dev/null; then
    kill "$p"
    for _ in $(seq 1 150); do kill -0 "$p" 2>/dev/null || break; sleep 0.2; done
    kill -0 "$p" 2>/dev/null && echo "$name (pid $p) is still stopping" || echo "stopped $name"
  fi
  rm -f "$DIR/pids/$name.pid"
}

case "${1:-}" in
  up) up ;;
  status) status ;;
  down) stop_one service; stop_one sync; for n in "${NODES[@]}"; do stop_one "$n"; done ;;
  kill)
    name=${2:?kill n1|n2|n3|sync|service}
    p=$(pid_of "$name"); [ -n "$p" ] || die "$name is not running"
    kill -9 "$p" && rm -f "$DIR/pids/$name.pid" && echo "killed $name (pid $p) with SIGKILL" ;;
  start)
    case "${2:-}" in
      n1|n2|n3) mkdir -p "$DIR/logs" "$DIR/pids"; start_node "$2" ;;
      sync) start_sync ;;
      service) start_service ;;
      *) die "start n1|n2|n3|sync|service" ;;
    esac ;;
  *) sed -n '2,25p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
esac
