#!/usr/bin/env bash
# Builds the benchmarks and runs them with the short settings each class declares (@Warmup,
# @Measurement, @Fork: a few seconds per benchmark, one fork), then prints one table: each figure,
# its baseline, the ratio and the target (benchmarks/src/.../Report.java).
# Usage: benchmarks/run.sh [JMH regexp, default: all]
#   JMH_OPTS   extra JMH options, which override the classes' settings (e.g. "-wi 5 -i 10 -f 2")
set -euo pipefail
cd "$(dirname "$0")/.."
# The PostgreSQL benchmarks need a server: start a throw-away one unless LOYALTY_PG_URL names one.
if [ -z "${LOYALTY_PG_URL:-}" ] && [ -x "${PG_BIN:-/usr/lib/postgresql/15/bin}/postgres" ]; then
  exec bash .ci/with-postgres.sh bash benchmarks/run.sh "$@"
fi
mvn -B -q -pl benchmarks -am package -DskipTests
cp="benchmarks/target/classes:$(cat benchmarks/target/benchmark.classpath)"
out=benchmarks/target/jmh-result.json
# shellcheck disable=SC2086
java -cp "$cp" org.openjdk.jmh.Main ${JMH_OPTS:-} -rf json -rff "$out" "${1:-.*}"
java -cp "$cp" io.github.loyaltyledger.benchmarks.Report "$out"
