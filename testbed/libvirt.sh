#!/usr/bin/env bash
# Runs a libvirt daemon (Debian's libvirtd) of its own for the testbed and the libvirt tests: its
# sockets, pid file and log under DIR, no TCP, no authentication on its unix socket (root only:
# the directory is 0700). Its domains' state is the host's (/run/libvirt, /var/lib/libvirt), and
# domains still running when it stops keep running: destroy them first. It uses the host's QEMU driver configuration, /etc/libvirt/qemu.conf,
# which install-deps.sh writes where none exists (QEMU as root, no security driver: the testbed's
# QEMU lives under root's cache).
#
#   libvirt.sh start [--dir DIR]   starts it unless it runs; prints its URI
#   libvirt.sh stop  [--dir DIR]   stops it and waits for it to exit
#   libvirt.sh uri   [--dir DIR]   prints its URI
#
# DIR defaults to /tmp/hybrid-ft-libvirt. Needs root.
set -euo pipefail
command=${1:-}
shift || true
dir=/tmp/hybrid-ft-libvirt
while (($#)); do
  case "$1" in
    --dir) dir=${2:?--dir needs a directory}; shift 2 ;;
    *) echo "libvirt.sh: unknown option '$1' (allowed: --dir DIR)" >&2; exit 2 ;;
  esac
done
uri="qemu:///system?socket=$dir/run/libvirt-sock"
pidfile=$dir/libvirtd.pid

running() {
  [[ -s $pidfile ]] && kill -0 "$(cat "$pidfile")" 2>/dev/null
}

case "$command" in
  uri) echo "$uri" ;;
  start)
    if running; then echo "$uri"; exit 0; fi
    if ! command -v libvirtd >/dev/null && [[ ! -x /usr/sbin/libvirtd ]]; then
      echo "libvirt.sh: no libvirtd: install Debian's libvirt-daemon (testbed/install-deps.sh)" >&2; exit 1
    fi
    if [[ $(id -u) -ne 0 ]]; then
      echo "libvirt.sh: libvirtd's QEMU driver runs its VMs as root here; run as root" >&2; exit 1
    fi
    if [[ ! -f /etc/libvirt/qemu.conf ]]; then
      echo "libvirt.sh: no /etc/libvirt/qemu.conf: run testbed/install-deps.sh" >&2; exit 1
    fi
    # The testbed's QEMU is under root's cache: another user (libvirt-daemon-system's libvirt-qemu)
    # could not run it, and a confining security driver would not let it open the pair's files.
    if ! grep -Eq '^[[:space:]]*user[[:space:]]*=[[:space:]]*"root"' /etc/libvirt/qemu.conf \
        || ! grep -Eq '^[[:space:]]*security_driver[[:space:]]*=[[:space:]]*"none"' /etc/libvirt/qemu.conf; then
      echo "libvirt.sh: /etc/libvirt/qemu.conf must say user = \"root\" and security_driver = \"none\" for the" \
        "testbed's QEMU (under /root/.cache) to run as a domain; testbed/install-deps.sh writes such a file where" \
        "none exists" >&2
      exit 1
    fi
    other=$( { pgrep -x libvirtd; pgrep -x virtqemud; } | tr '\n' ' ' || true)
    if [[ -n ${other// /} ]]; then
      echo "libvirt.sh: a libvirt daemon runs already (pid $other): its QEMU driver allows one per host; stop it first" >&2
      exit 1
    fi
    mkdir -p "$dir/run"
    chmod 700 "$dir"
    cat >"$dir/libvirtd.conf" <<CONF
unix_sock_dir = "$dir/run"
unix_sock_rw_perms = "0700"
auth_unix_ro = "none"
auth_unix_rw = "none"
log_outputs = "3:file:$dir/libvirtd.log"
CONF
    rm -f "$dir/run/libvirt-sock"
    PATH=/usr/sbin:$PATH setsid libvirtd -f "$dir/libvirtd.conf" -p "$pidfile" </dev/null >>"$dir/libvirtd.out" 2>&1 &
    for _ in $(seq 1 300); do
      if [[ -S $dir/run/libvirt-sock ]] && virsh -q -c "$uri" version >/dev/null 2>&1; then
        echo "$uri"; exit 0
      fi
      if ! kill -0 $! 2>/dev/null; then
        echo "libvirt.sh: libvirtd exited at start; its output and log:" >&2
        tail -20 "$dir/libvirtd.out" "$dir/libvirtd.log" >&2 2>/dev/null; exit 1
      fi
      sleep 0.1
    done
    echo "libvirt.sh: libvirtd did not answer on $dir/run/libvirt-sock within 30 s" >&2; exit 1 ;;
  stop)
    running || exit 0
    pid=$(cat "$pidfile")
    kill -TERM "$pid"
    for _ in $(seq 1 300); do
      kill -0 "$pid" 2>/dev/null || { rm -f "$pidfile"; exit 0; }
      sleep 0.1
    done
    kill -KILL "$pid" 2>/dev/null || true
    echo "libvirt.sh: libvirtd $pid did not stop within 30 s; killed" >&2 ;;
  *) echo "usage: libvirt.sh start|stop|uri [--dir DIR]" >&2; exit 2 ;;
esac
