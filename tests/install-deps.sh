#!/usr/bin/env bash
# Installs what the build, the tests and the demo need on a fresh Debian machine.
# Idempotent and quiet when everything is there; run by `make demo` and `make test`.
set -euo pipefail

# Debian packages: compilers for the C/C++ suites, the services database (/etc/services, for
# service names such as "http"), OpenSSL's command line tools (test certificates and peers),
# valgrind for the C suite; GLib's headers for the GLib completion-queue example; tinyproxy
# (CONNECT proxy with BasicAuth) and nginx (TLS-terminating reverse proxy with auth_basic),
# apache2 (Digest MD5) and lighttpd (Digest SHA-256) in front of a WebSocket server, and squid
# (a proxy with Digest) for the WebSocket tests; iproute2 (`ip netns`, veth) for the capability
# tests' private-network namespace; jq reads the `netrt` command's --json output in its tests;
# useradd (passwd) and runuser (util-linux) for the socket broker's test that another user is
# refused; systemd-socket-activate (systemd) for its socket-activation test; curl is the baseline of
# `make bench-transfer`.
packages=(build-essential pkg-config netbase openssl ca-certificates valgrind python3-venv cmake libglib2.0-dev jq
  tinyproxy nginx-light apache2 lighttpd squid iproute2 passwd util-linux systemd curl)

missing=()
for p in "${packages[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "install-deps: installing ${missing[*]}"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# Python peers (aiosmtpd, trustme) in a project venv, git-ignored; re-run when the list changes.
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
req="$root/tests/peers/requirements.txt"
stamp="$root/.venv/.peers-installed"
if [ ! -x "$root/.venv/bin/python" ]; then
  python3 -m venv "$root/.venv"
fi
if [ ! -f "$stamp" ] || ! cmp -s "$req" "$stamp"; then
  echo "install-deps: installing Python test peers into .venv"
  "$root/.venv/bin/python" -m pip install -q --disable-pip-version-check -r "$req"
  cp "$req" "$stamp"
fi

command -v cargo >/dev/null || { echo "install-deps: cargo (Rust >= 1.88) is required" >&2; exit 1; }
rustup component list --installed 2>/dev/null | grep -q '^clippy' || rustup component add clippy rustfmt
