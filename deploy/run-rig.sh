#!/usr/bin/env bash
# Builds rigserve (once) and starts one rig: a single-node cluster serving the demo model.
# Settings come from RIGSERVE_* variables (see serving/src/main/resources/reference.conf).
set -euo pipefail
cd "$(dirname "$0")/.."
jar=serving/target/rigserve.jar
if [ ! -f "$jar" ] || [ -n "$(find proto cluster sharding serving -newer "$jar" -name '*.java' -o -newer "$jar" -name '*.conf' -o -newer "$jar" -name '*.proto' | head -1)" ]; then
  mvn -B -q -DskipTests -pl serving -am package
fi
exec java ${RIGSERVE_JAVA_OPTS:--Xmx2g} -jar "$jar" "$@"
