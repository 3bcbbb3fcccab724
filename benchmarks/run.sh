#!/usr/bin/env bash
# Builds the benchmarks and runs them with short settings (a few seconds each), then prints one
# table: each benchmark's throughput, its baseline, and the ratio.
# Usage: benchmarks/run.sh [JMH regexp, default: all]   (extra JMH options via JMH_OPTS)
set -euo pipefail
cd "$(dirname "$0")/.."
# The PostgreSQL benchmarks need a server: start a throw-away one unless LOYALTY_PG_URL names one.
if [ -z "${LOYALTY_PG_URL:-}" ] && [ -x "${PG_BIN:-/usr/lib/postgresql/15/bin}/postgres" ]; then
  exec bash .ci/with-postgres.sh bash benchmarks/run.sh "$@"
fi
mvn -B -q -pl benchmarks -am package -DskipTests
cp="benchmarks/target/classes:$(cat benchmarks/target/benchmark.classpath)"
out=benchmarks/target/jmh-result.csv
# shellcheck disable=SC2086
java -cp "$cp" org.openjdk.jmh.Main ${JMH_OPTS:--f 1 -wi 2 -w 2s -i 3 -r 3s} -rf csv -rff "$out" "${1:-.*}"
java -cp "$cp" io.github.loyaltyledger.benchmarks.Report "$out"
