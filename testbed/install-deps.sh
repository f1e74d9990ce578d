#!/usr/bin/env bash
# Installs, from Debian bookworm, what the testbed needs: the tools and libraries to build its QEMU
# (build-qemu.sh), qemu-img and the firmware its VMs boot (SeaBIOS, iPXE ROMs), python3 for
# pairctl.py, the stock qemu-system-x86 the bare-QEMU protocol tests use, and systemd-analyze for
# the agent's unit. Run as root; does nothing where everything is present.
#
#   install-deps.sh
set -euo pipefail
packages=(
  # build-qemu.sh
  gcc make ninja-build pkg-config flex bison python3 python3-venv dpkg-dev patch bzip2 xz-utils
  libglib2.0-dev libslirp-dev libpixman-1-dev zlib1g-dev libfdt-dev
  # start.sh and the VMs
  qemu-system-x86 qemu-utils seabios ipxe-qemu iproute2 util-linux
  # the agent's systemd unit, checked with systemd-analyze verify
  systemd
)
missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
((${#missing[@]})) || exit 0
if [[ $(id -u) -ne 0 ]]; then
  echo "install-deps.sh: missing packages: ${missing[*]}; run as root (or apt-get install them)" >&2; exit 1
fi
echo "install-deps.sh: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
