#!/usr/bin/env bash
# Measures the trust checks: four rigs of four owners in one JVM, one lying, one with slightly
# different floats; prints per-phase lines and, last, the summary line recorded in docs/BENCHMARKS.md.
# Usage: bench/run-trust.sh [--trials 5] [--steady 5000] [--verified 10000]
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q -DskipTests -pl bench -am package
# rigserve's reference.conf files come before Pekko's own (they override Pekko's defaults, such as the provider).
lib=bench/target/lib
java -Xmx2g -Dlogback.configurationFile=bench/src/main/resources/trust-logback.xml \
  -cp "bench/target/rigserve-bench-0.1.0-SNAPSHOT.jar:$lib/rigserve-serving-0.1.0-SNAPSHOT.jar:$lib/rigserve-sharding-0.1.0-SNAPSHOT.jar:$lib/rigserve-cluster-0.1.0-SNAPSHOT.jar:$lib/*" \
  io.rigserve.bench.trust.TrustBench "$@"
