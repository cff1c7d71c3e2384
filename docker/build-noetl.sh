#!/bin/sh
# Compiles a static `noetl` for one Docker architecture in the Dockerfiles' `bin-in-docker` stage.
# That stage runs on $BUILDPLATFORM, so this cross-compiles (never under emulation): RUST_IMAGE
# must carry the Rust std for the target triple and, for a foreign architecture, its GNU C linker.
# Usage: sh docker/build-noetl.sh TARGETARCH OUTPUT   (run from the workspace root)
set -eu

case "${1:-}" in
  amd64) arch=x86_64 ;;
  arm64) arch=aarch64 ;;
  *)
    echo "build-noetl.sh: TARGETARCH '${1:-}' is not supported. fix: build for linux/amd64 or linux/arm64" >&2
    exit 2
    ;;
esac
out=${2:?usage: build-noetl.sh TARGETARCH OUTPUT}
triple=$arch-unknown-linux-gnu
# cargo reads per-target settings from CARGO_TARGET_<TRIPLE>_*, the triple upper-cased with '_'.
var=$(printf '%s' "$triple" | tr 'a-z-' 'A-Z_')

libdir=$(rustc --print target-libdir --target "$triple")
if ! ls "$libdir"/libstd-* >/dev/null 2>&1; then
  echo "build-noetl.sh: RUST_IMAGE has no Rust std for $triple ($libdir). fix: use a RUST_IMAGE with it (rustup target add $triple, or Debian's libstd-rust-dev:$1)" >&2
  exit 1
fi
if [ "$(uname -m)" != "$arch" ]; then
  linker=$arch-linux-gnu-gcc
  if ! command -v "$linker" >/dev/null; then
    echo "build-noetl.sh: RUST_IMAGE has no C linker $linker for $triple. fix: install gcc-$(printf '%s' "$arch" | tr _ -)-linux-gnu in RUST_IMAGE" >&2
    exit 1
  fi
  export "CARGO_TARGET_${var}_LINKER=$linker"
fi
# +crt-static: glibc linked in, so the binary runs in a FROM scratch image.
export "CARGO_TARGET_${var}_RUSTFLAGS=-C target-feature=+crt-static"

cargo build --release --locked -p noetlctl --bin noetl --target "$triple"
cp "target/$triple/release/noetl" "$out"
