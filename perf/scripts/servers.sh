# Sourced by compare-redis.sh and offered-load.sh: a Redis and a counter-store of the run's own,
# both holding the same stock to sell. Needs WORK (a scratch folder), REDIS_PORT and STORE_PORT.
#
#   start_servers <store JVM flags...>   sets STORE_PID and SHA (the Lua reserve's script id)
#   stop_servers                         for the EXIT trap
#
# Redis: AOF on, appendfsync everysec (a run may switch it to always); its reserve is the usual
# Lua check-and-decrement. The store: a one-node group, every answer fsync'd before it is sent.

STOCK=100000000000000
LUA='local a = tonumber(redis.call("GET", KEYS[1]) or "0") local q = tonumber(ARGV[1]) if a < q then return -1 end return redis.call("DECRBY", KEYS[1], q)'
STORE_PID=

start_servers() {
  command -v redis-benchmark >/dev/null || { echo "redis-benchmark missing: apt-get install redis-tools redis-server" >&2; exit 1; }
  [ -f counter-store/target/counter-store.jar ] || { echo "build first: ./mvnw -q -DskipTests package" >&2; exit 1; }
  redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --dir "$WORK" --save "" --appendonly yes \
    --appendfsync everysec --daemonize yes --logfile "$WORK/redis.log"
  java "$@" -jar counter-store/target/counter-store.jar --port "$STORE_PORT" --bind 127.0.0.1 \
    --data-dir "$WORK/store" > "$WORK/store.log" 2>&1 &
  STORE_PID=$!
  for _ in $(seq 1 100); do
    redis-cli -p "$STORE_PORT" ping >/dev/null 2>&1 && redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1 && break
    sleep 0.2
  done
  redis-cli -p "$REDIS_PORT" set stock $STOCK >/dev/null
  SHA=$(redis-cli -p "$REDIS_PORT" script load "$LUA")
  redis-cli -p "$STORE_PORT" INV.CREATE stock $STOCK >/dev/null
}

stop_servers() {
  if [ -n "$STORE_PID" ]; then kill "$STORE_PID" 2>/dev/null || true; fi
  redis-cli -p "$REDIS_PORT" shutdown nosave >/dev/null 2>&1 || true
}
