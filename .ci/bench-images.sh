#!/usr/bin/env bash
# Image benchmarks for `cargo xtask image`, measured in one run and printed as figures and
# ratios (machines here are noisy: compare ratios, not absolute times):
#   - prebuilt route: one platform vs two (goal: two ≤ 1.3 × one: each platform is a copy);
#   - prebuilt vs --in-docker (both platforms, cold);
#   - a warm rebuild vs a cold build (goal ≤ 0.2 ×);
#   - image sizes per platform, as pushed (goal: noetlctl ≤ 8 MB).
# Needs the test bed (bash .ci/testbed.sh up). Every build pushes to the test registry with
# --no-smoke (the smoke runs are exercised by the tests, not timed here). "Cold" is
# --no-cache, which in BuildKit also ignores the RUN cache mounts (cargo's registry and
# target dir): the in-docker cold build downloads and compiles every crate.
#   bash .ci/bench-images.sh
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

if [[ -f /run/noetl-testbed/env ]]; then
  # shellcheck disable=SC1091 # written by .ci/testbed.sh
  source /run/noetl-testbed/env
fi
REGISTRY=${NOETL_TEST_REGISTRY:?no test bed: run bash .ci/testbed.sh up}
RUST_IMAGE=${NOETL_TEST_RUST_IMAGE:?no test bed: run bash .ci/testbed.sh up}

# shellcheck source=.ci/bench-lib.sh
source .ci/bench-lib.sh
verdict() { awk -v r="$1" -v g="$2" 'BEGIN { print (r <= g ? "meets" : "MISSES") " the goal of <= " g }'; }

cargo build -q -p xtask
XTASK=${CARGO_TARGET_DIR:-target}/debug/xtask
BOTH=linux/amd64,linux/arm64
run=$$

echo "== inputs: static binaries for both platforms, and the UI"
"$XTASK" -q cli --platforms "$BOTH" --static --builder-image "$RUST_IMAGE"
[[ -f noetl/core/ui/index.html ]] || "$XTASK" -q ui

image() { # image NAME ARGS... → push image NAME (cli|dev) to the test registry
  local which=$1
  shift
  "$XTASK" -q image --image "$which" --push --registry "$REGISTRY" --no-sbom --no-smoke --no-inputs "$@"
}

echo "== prebuilt route (noetlctl; --no-cache --cache none: every step runs)"
one=$(best_of 3 image cli --platforms linux/amd64 --no-cache --cache none --tag "bench-$run-1p")
two=$(best_of 3 image cli --platforms "$BOTH" --no-cache --cache none --tag "bench-$run-2p")
r=$(ratio "$two" "$one")
printf '  1 platform  %6s s\n  2 platforms %6s s   2/1 = %s (%s)\n' "$one" "$two" "$r" "$(verdict "$r" 1.3)"
dev_two=$(best_of 3 image dev --platforms "$BOTH" --no-cache --cache none --tag "bench-$run-dev")
printf '  noetl-local-dev, 2 platforms %6s s\n' "$dev_two"

echo "== warm rebuild vs cold (noetlctl, 2 platforms, registry cache)"
image cli --platforms "$BOTH" --cache registry --tag "bench-$run-warm" >/dev/null 2>&1
warm=$(best_of 3 image cli --platforms "$BOTH" --cache registry --tag "bench-$run-warm")
r=$(ratio "$warm" "$two")
printf '  cold %6s s\n  warm %6s s   warm/cold = %s (%s)\n' "$two" "$warm" "$r" "$(verdict "$r" 0.2)"
echo "  (a prebuilt build only copies files: cold and warm are both buildx start-up, context, push and verify)"

echo "== --in-docker (noetlctl, 2 platforms, cross-compiled in $RUST_IMAGE)"
in_cold=$(secs image cli --platforms "$BOTH" --in-docker --rust-image "$RUST_IMAGE" --no-cache --cache none --tag "bench-$run-ind")
in_warm=$(best_of 3 image cli --platforms "$BOTH" --in-docker --rust-image "$RUST_IMAGE" --cache none --tag "bench-$run-ind")
r=$(ratio "$in_warm" "$in_cold")
printf '  cold         %7s s   in-docker/prebuilt (both cold) = %s\n' "$in_cold" "$(ratio "$in_cold" "$two")"
printf '  warm rebuild %7s s   warm/cold = %s (%s)\n' "$in_warm" "$r" "$(verdict "$r" 0.2)"

echo "== sizes as pushed (compressed layers + config, per platform)"
for name in noetlctl noetl-local-dev; do
  ref=$REGISTRY/$name:bench-$run-$([[ $name == noetlctl ]] && echo 2p || echo dev)
  docker buildx imagetools inspect --raw "$ref" | python3 -c '
import json, subprocess, sys
name, ref, docker = sys.argv[1], sys.argv[2], sys.argv[3]
index = json.load(sys.stdin)
repo = ref.rsplit(":", 1)[0]
for m in index["manifests"]:
    p = m.get("platform", {})
    if p.get("os") == "unknown":
        continue
    raw = subprocess.run([docker, "buildx", "imagetools", "inspect", "--raw", repo + "@" + m["digest"]],
                         check=True, capture_output=True, text=True).stdout
    manifest = json.loads(raw)
    size = manifest["config"]["size"] + sum(layer["size"] for layer in manifest["layers"])
    goal = "  (goal <= 8 MB: " + ("meets" if size <= 8e6 else "MISSES") + ")" if name == "noetlctl" else ""
    platform = p["os"] + "/" + p["architecture"]
    print(f"  {name:16} {platform:12} {size / 1e6:6.2f} MB{goal}")
' "$name" "$ref" "$(command -v docker)"
done
