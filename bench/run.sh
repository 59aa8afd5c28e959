#!/usr/bin/env bash
# Starts a rig serving the demo model on loopback, drives it with the load generator over REST
# and gRPC beside an in-process ONNX Runtime baseline, then stops the rig.
# Usage: bench/run.sh [--concurrency 1,4] [--warmup 3s] [--duration 10s]
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q -DskipTests -pl bench -am package
work=$(mktemp -d)
trap 'kill $rig 2>/dev/null || true; wait $rig 2>/dev/null || true; rm -rf "$work"' EXIT
RIGSERVE_REPOSITORY="$work/models" RIGSERVE_HTTP_PORT=18000 RIGSERVE_GRPC_PORT=18001 RIGSERVE_PORT=17355 \
  RIGSERVE_MANAGEMENT_PORT=17626 RIGSERVE_DATA_PLANE_PORT=17627 \
  java -Xmx1g -jar serving/target/rigserve.jar > "$work/rig.log" 2>&1 &
rig=$!
for _ in $(seq 1 120); do
  if curl -sf http://127.0.0.1:18000/v2/models/demo/ready > /dev/null; then break; fi
  sleep 0.5
done
curl -sf http://127.0.0.1:18000/v2/models/demo/ready > /dev/null || { cat "$work/rig.log"; exit 1; }
java -Xmx1g -cp "bench/target/rigserve-bench-0.1.0-SNAPSHOT.jar:bench/target/lib/*" io.rigserve.bench.LoadGenerator \
  --host 127.0.0.1 --rest-port 18000 --grpc-port 18001 "$@"
