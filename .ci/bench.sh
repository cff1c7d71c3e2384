#!/usr/bin/env bash
# Benchmarks for the xtask and the noetl server, measured in one run and printed as
# figures and ratios (machines here are noisy: compare ratios, not absolute times).
#   bash .ci/bench.sh            # needs cargo, node/npm; wrk for the request rates
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

# shellcheck source=.ci/bench-lib.sh
source .ci/bench-lib.sh

echo "== xtask build and start-up"
cold_dir=$(mktemp -d)
cold=$(secs env CARGO_TARGET_DIR="$cold_dir" cargo build -p xtask)
rm -rf "$cold_dir"
cargo build -q -p xtask
help_cargo=$(best_of 5 cargo xtask --help)
help_bin=$(best_of 5 target/debug/xtask --help)
echo "cold debug build of xtask:        ${cold}s (goal <= 10 s)"
echo "warm 'cargo xtask --help':        ${help_cargo}s (binary alone: ${help_bin}s)"

echo "== UI: npm run build vs a no-op 'cargo xtask ui'"
cargo xtask -q ui >/dev/null
npm_build=$(cd ui-src && best_of 3 npm run build -- --outDir "$PWD/../target/bench-ui-dist" --emptyOutDir)
noop_cargo=$(best_of 5 cargo xtask -q ui)
noop_bin=$(best_of 5 target/debug/xtask -q ui)
echo "npm run build:                    ${npm_build}s"
echo "no-op 'cargo xtask ui':           ${noop_cargo}s  ratio $(ratio "$npm_build" "$noop_cargo")x (goal >= 20x)"
echo "no-op xtask binary alone:         ${noop_bin}s  ratio $(ratio "$npm_build" "$noop_bin")x"

echo "== noetl release binary"
cargo build -q --release -p noetlctl
echo "noetl (dynamic glibc):            $(stat -c %s target/release/noetl) bytes"
host=$(rustc -vV | sed -n 's/^host: //p')
env "CARGO_TARGET_$(echo "$host" | tr 'a-z-' 'A-Z_')_RUSTFLAGS=-C target-feature=+crt-static" \
  cargo build -q --release -p noetlctl --target "$host"
echo "noetl (static, $host): $(stat -c %s "target/$host/release/noetl") bytes"

echo "== server requests/second on loopback (wrk, 2 threads, 32 connections, 5 s each)"
if ! command -v wrk >/dev/null; then
  echo "skipped: wrk is not on PATH (apt-get install wrk; .ci/testbed.sh installs it)"
  exit 0
fi
out=$(mktemp)
target/release/noetl server start --host 127.0.0.1 --port 0 --ui-dir noetl/core/ui >"$out" &
server=$!
trap 'kill $server 2>/dev/null || true; rm -f "$out"' EXIT
for _ in $(seq 50); do grep -q 'listening on' "$out" && break; sleep 0.1; done
url=$(sed -n 's/.*listening on \(http[^ ]*\).*/\1/p' "$out")
asset=$(cd noetl/core/ui && ls assets/*.js | head -1)
for path in /api/health "/$asset"; do
  rps=$(wrk -t2 -c32 -d5s "$url$path" | sed -n 's/^Requests\/sec: *//p')
  echo "GET $path: $rps req/s"
done
