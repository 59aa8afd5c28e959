#!/usr/bin/env bash
# The geo run: four regions (us-east, eu-west, sa-east, af-south), each in its own network
# namespace, with the round trips of real region pairs between them (76-340 ms, added by a delay
# proxy in each namespace). Rigs are separate JVMs; the demo model is cut in two stages; clients
# in the regions send a steady load; then a region is killed (processes killed) and started
# again, cut off and healed, or its network taken away (its link down: connects to it hang) and
# brought back. Prints per phase: requests sent, succeeded, failed, p50/p99, and the time from
# the fault until no stage went to the failed region.
#
#   sudo deploy/run-geo.sh [kill|cut|vanish|both|all] [WORK_DIR]
#     both: kill, then cut; all (the default): kill, cut and vanish in turn; WORK_DIR: a temporary folder
#
# Needs root and iproute2 (ip netns); uses 10.231.0.0/24 and 10.232.0.0/16 inside the namespaces
# only, and removes them when it ends. Takes about 5 minutes.
set -euo pipefail
cd "$(dirname "$0")/.."
[ "$(id -u)" = 0 ] || { echo "run-geo: network namespaces need root" >&2; exit 2; }
if [ ! -d bench/target/lib ] || [ -n "$(find proto cluster sharding serving bench -newer bench/target/lib -name '*.java' | head -1)" ]; then
  mvn -B -q -DskipTests package
  touch bench/target/lib
fi
# rigserve's jars first: their reference.conf settings override Pekko's own defaults, as in the
# rig's jar and in Maven's test classpath.
cp="bench/target/classes:$(ls bench/target/lib/rigserve-*.jar | tr '\n' ':')bench/target/lib/*"
exec java -cp "$cp" io.rigserve.bench.geo.GeoRun "$@"
