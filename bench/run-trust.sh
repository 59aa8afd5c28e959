#!/usr/bin/env bash
# Measures the trust checks: four rigs of four owners in one JVM, one lying, one with slightly
# different floats; prints per-phase lines and, last, the summary line recorded in docs/BENCHMARKS.md.
# Usage: bench/run-trust.sh [--trials 5] [--steady 5000] [--verified 10000]
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q -DskipTests -pl bench -am package
java -Xmx2g -Dlogback.configurationFile=bench/src/main/resources/trust-logback.xml \
  -cp "bench/target/rigserve-bench-0.1.0-SNAPSHOT.jar:bench/target/lib/*" io.rigserve.bench.trust.TrustBench "$@"
