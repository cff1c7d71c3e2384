# Timing helpers shared by the benchmark scripts (sourced, not run).

secs() { # secs CMD... → wall seconds of one run, output discarded (shown when it fails)
  local t0 t1 log
  log=$(mktemp)
  t0=$(date +%s%N)
  if ! "$@" >"$log" 2>&1; then
    cat "$log" >&2
    rm -f "$log"
    echo "bench: failed: $*" >&2
    return 1
  fi
  t1=$(date +%s%N)
  rm -f "$log"
  awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", (b - a) / 1e9 }'
}

best_of() { # best_of N CMD... → fastest of N runs
  local n=$1 best='' t
  shift
  for _ in $(seq "$n"); do
    t=$(secs "$@")
    if [[ -z $best ]] || awk -v t="$t" -v b="$best" 'BEGIN { exit !(t < b) }'; then best=$t; fi
  done
  echo "$best"
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
