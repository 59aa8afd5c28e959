#!/usr/bin/env bash
# Starts a local multi-region cluster: N regions x M rigs, each a separate JVM on 127.0.0.1 with
# its own ports, region name and coordinates of a real place. Waits until every rig is ready,
# prints the endpoints, and stops everything on Ctrl-C.
#
#   deploy/run-local.sh [REGIONS] [RIGS_PER_REGION]   start (default 3 x 2) and wait for Ctrl-C
#   deploy/run-local.sh stop                          stop a cluster started in the background
#   RUN_LOCAL_DETACH=1 deploy/run-local.sh 3 2        start, print, and return (stop with 'stop')
#
# Rig k (counting from 0) uses ports 20000+10k: Artery +0, REST +1, gRPC +2, management +3, data plane +4.
set -euo pipefail
cd "$(dirname "$0")/.."
state=deploy/.local
names=(us-east eu-west sa-east af-south ap-south)
coords=("39.04 -77.49" "53.35 -6.26" "-23.55 -46.63" "-33.92 18.42" "19.08 72.88")

stop_all() {
  [ -f "$state/pids" ] || return 0
  while read -r pid; do kill -TERM "$pid" 2>/dev/null || true; done < "$state/pids"
  for _ in $(seq 1 60); do
    alive=0
    while read -r pid; do kill -0 "$pid" 2>/dev/null && alive=1; done < "$state/pids"
    [ "$alive" = 0 ] && break
    sleep 0.5
  done
  while read -r pid; do kill -KILL "$pid" 2>/dev/null || true; done < "$state/pids"
  rm -f "$state/pids"
  echo "local cluster stopped"
}

if [ "${1:-}" = "stop" ]; then stop_all; exit 0; fi

regions=${1:-3}
per_region=${2:-2}
if [ "$regions" -lt 1 ] || [ "$regions" -gt ${#names[@]} ] || [ "$per_region" -lt 1 ] || [ "$per_region" -gt 9 ]; then
  echo "usage: $0 [REGIONS 1-${#names[@]}] [RIGS_PER_REGION 1-9] | stop" >&2; exit 2
fi
[ -f "$state/pids" ] && { echo "a local cluster is running; '$0 stop' first" >&2; exit 1; }

jar=serving/target/rigserve.jar
[ -f "$jar" ] || mvn -B -q -DskipTests -pl serving -am package
mkdir -p "$state"
: > "$state/pids"

seeds=""
for r in $(seq 0 $((regions - 1))); do
  k=$((r * per_region))
  seeds="${seeds:+$seeds,}127.0.0.1:$((20000 + 10 * k))"
done

for r in $(seq 0 $((regions - 1))); do
  read -r lat lon <<< "${coords[$r]}"
  for m in $(seq 0 $((per_region - 1))); do
    k=$((r * per_region + m)); base=$((20000 + 10 * k)); name="${names[$r]}-$m"
    RIGSERVE_REGION=${names[$r]} RIGSERVE_ZONE="${names[$r]}-$((m % 2))" \
    RIGSERVE_LATITUDE=$lat RIGSERVE_LONGITUDE=$lon \
    RIGSERVE_PORT=$base RIGSERVE_HTTP_PORT=$((base + 1)) RIGSERVE_GRPC_PORT=$((base + 2)) \
    RIGSERVE_MANAGEMENT_PORT=$((base + 3)) RIGSERVE_DATA_PLANE_PORT=$((base + 4)) RIGSERVE_METRICS_PORT=$((base + 5)) RIGSERVE_SEED_NODES=$seeds \
    RIGSERVE_REPOSITORY="$state/$name/models" \
      java -Xmx768m -XX:+UseSerialGC -jar "$jar" > "$state/$name.log" 2>&1 &
    echo $! >> "$state/pids"
  done
done

if [ -z "${RUN_LOCAL_DETACH:-}" ]; then trap 'stop_all; exit 0' INT TERM; fi

total=$((regions * per_region))
echo "starting $total rigs ($regions regions x $per_region); logs in $state/"
for k in $(seq 0 $((total - 1))); do
  port=$((20000 + 10 * k + 3))
  for _ in $(seq 1 240); do
    curl -sf "http://127.0.0.1:$port/ready" > /dev/null && break
    sleep 0.5
  done
  curl -sf "http://127.0.0.1:$port/ready" > /dev/null || { echo "rig $k did not become ready; see $state/" >&2; stop_all; exit 1; }
done

printf '\n%-12s %-22s %-22s %-22s %s\n' rig REST gRPC management Artery
for r in $(seq 0 $((regions - 1))); do
  for m in $(seq 0 $((per_region - 1))); do
    k=$((r * per_region + m)); base=$((20000 + 10 * k))
    printf '%-12s %-22s %-22s %-22s %s\n' "${names[$r]}-$m" "http://127.0.0.1:$((base + 1))" \
      "127.0.0.1:$((base + 2))" "http://127.0.0.1:$((base + 3))" "127.0.0.1:$base"
  done
done
echo
echo "all $total rigs ready; cluster: curl -s http://127.0.0.1:20003/admin/cluster"
if [ -n "${RUN_LOCAL_DETACH:-}" ]; then echo "stop with: $0 stop"; exit 0; fi
echo "Ctrl-C stops every rig"
while true; do sleep 1; done
