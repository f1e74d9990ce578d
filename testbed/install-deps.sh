#!/usr/bin/env bash
# Installs, from Debian bookworm, what the testbed needs: the tools and libraries to build its QEMU
# (build-qemu.sh), qemu-img and the firmware its VMs boot (SeaBIOS, iPXE ROMs), python3 for
# pairctl.py, the stock qemu-system-x86 the bare-QEMU protocol tests use, systemd-analyze for
# the agent's unit, and libvirt's daemon and client (libvirt.sh) with a QEMU driver configuration
# that runs the testbed's QEMU. Run as root; does nothing where everything is present.
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
  # libvirt.sh and the libvirt tests: libvirtd with its QEMU driver, virsh, libvirt.so.0
  libvirt-daemon libvirt-clients
)
missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if ((${#missing[@]})); then
  if [[ $(id -u) -ne 0 ]]; then
    echo "install-deps.sh: missing packages: ${missing[*]}; run as root (or apt-get install them)" >&2; exit 1
  fi
  echo "install-deps.sh: installing ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# libvirt's QEMU driver looks up its built-in account at start even when qemu.conf names another;
# libvirt-daemon-system would create it, but brings polkit, firewall rules and AppArmor profiles.
if [[ $(id -u) -eq 0 ]]; then
  getent group kvm >/dev/null || groupadd --system kvm
  getent group libvirt-qemu >/dev/null || groupadd --system libvirt-qemu
  getent passwd libvirt-qemu >/dev/null || useradd --system --gid kvm --home-dir /var/lib/libvirt \
    --no-create-home --shell /usr/sbin/nologin libvirt-qemu
  # Only where no configuration exists (no libvirt-daemon-system): the testbed's QEMU lives under
  # root's cache, so the driver runs QEMU as root, changes no file's owner and confines nothing.
  if [[ ! -f /etc/libvirt/qemu.conf ]]; then
    mkdir -p /etc/libvirt
    cat >/etc/libvirt/qemu.conf <<'CONF'
# Written by hybrid-ft's testbed/install-deps.sh for testbed/libvirt.sh: QEMU runs as root (the
# testbed's QEMU is under /root/.cache), no file ownership changes, no security driver, no private
# /dev, QEMU's output to files (no virtlogd).
user = "root"
group = "root"
dynamic_ownership = 0
security_driver = "none"
namespaces = [ ]
stdio_handler = "file"
swtpm_user = "root"
swtpm_group = "root"
CONF
  fi
fi
