#!/usr/bin/env bash
# Starts a QEMU COLO pair (primary + secondary) on loopback with a BIOS-only guest, brings it to
# COLO state and prints the two QMP socket paths. stop.sh ends exactly what this started.
#
#   start.sh [--accel kvm|tcg] [--dir DIR] [--base-port N] [--ipxe]
#
# --accel    kvm (default) or tcg. Under TCG, QEMU 7.2's COLO primary deadlocks at its first
#            checkpoint: use tcg only to look at the set-up.
# --dir      where the images, sockets, logs and pid files go (default: a new temp dir)
# --base-port  first of the loopback ports used: N+1, N+3, N+4, N+5 for colo-compare's chardevs,
#            N+998 for the migration, N+999 for the NBD disk replication (default 19000)
# --ipxe     keep the NIC's iPXE option ROM: its DHCP requests are the only packets the guest sends
set -euo pipefail

accel=kvm
dir=""
base=19000
romfile="romfile="
while [[ $# -gt 0 ]]; do
  case "$1" in
    --accel) accel="${2:?--accel needs kvm or tcg}"; shift 2 ;;
    --dir) dir="${2:?--dir needs a directory}"; shift 2 ;;
    --base-port) base="${2:?--base-port needs a number}"; shift 2 ;;
    --ipxe) romfile=""; shift ;;
    -h|--help) sed -n '2,15p' "$0"; exit 0 ;;
    *) echo "start.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done
case "$accel" in kvm|tcg) ;; *) echo "start.sh: --accel must be kvm or tcg, was '$accel'" >&2; exit 2 ;; esac
if ! [[ "$base" =~ ^[0-9]+$ ]] || (( base < 1024 || base > 64000 )); then
  echo "start.sh: --base-port must be a number in [1024, 64000], was '$base'" >&2; exit 2
fi
command -v qemu-system-x86_64 >/dev/null || { echo "start.sh: qemu-system-x86_64 not found (apt-get install qemu-system-x86 qemu-utils)" >&2; exit 1; }
# A character device we may read and write; never opened here, as '<>' would create a missing one.
if [[ "$accel" == kvm ]] && ! [[ -c /dev/kvm && -r /dev/kvm && -w /dev/kvm ]]; then
  echo "start.sh: /dev/kvm is not a usable character device; use --accel tcg (COLO checkpoints deadlock under TCG)" >&2; exit 1
fi

here="$(cd "$(dirname "$0")" && pwd)"
dir="${dir:-$(mktemp -d /tmp/colo-pair.XXXXXX)}"
mkdir -p "$dir"
dir="$(cd "$dir" && pwd)"
if [[ -e "$dir/primary.pid" || -e "$dir/secondary.pid" ]]; then
  echo "start.sh: $dir already holds a pair (run stop.sh --dir $dir first)" >&2; exit 1
fi

qemu-img create -q -f raw "$dir/primary.img" 16M
qemu-img create -q -f raw "$dir/parent.img" 16M
qemu-img create -q -f qcow2 "$dir/active.qcow2" 16M
qemu-img create -q -f qcow2 "$dir/hidden.qcow2" 16M

net="-netdev user,id=hn0,restrict=on -device rtl8139,id=e0,netdev=hn0${romfile:+,$romfile}"
common=(-machine "pc,accel=$accel" -m 64 -display none -vga none -serial none -parallel none -monitor none)

# The primary waits for the secondary on compare1 (wait=on), so it starts first, in the background.
# shellcheck disable=SC2086
qemu-system-x86_64 -name primary "${common[@]}" $net \
  -qmp "unix:$dir/primary.qmp,server=on,wait=off" -pidfile "$dir/primary.pid" \
  -chardev "socket,id=mirror0,host=127.0.0.1,port=$((base + 3)),server=on,wait=off" \
  -chardev "socket,id=compare1,host=127.0.0.1,port=$((base + 4)),server=on,wait=on" \
  -chardev "socket,id=compare0,host=127.0.0.1,port=$((base + 1)),server=on,wait=off" \
  -chardev "socket,id=compare0-0,host=127.0.0.1,port=$((base + 1))" \
  -chardev "socket,id=compare_out,host=127.0.0.1,port=$((base + 5)),server=on,wait=off" \
  -chardev "socket,id=compare_out0,host=127.0.0.1,port=$((base + 5))" \
  -object filter-mirror,id=m0,netdev=hn0,queue=tx,outdev=mirror0 \
  -object filter-redirector,id=redire0,netdev=hn0,queue=rx,indev=compare_out \
  -object filter-redirector,id=redire1,netdev=hn0,queue=rx,outdev=compare0 \
  -object iothread,id=iothread1 \
  -object colo-compare,id=comp0,primary_in=compare0-0,secondary_in=compare1,outdev=compare_out0,iothread=iothread1 \
  -drive "if=ide,id=colo-disk0,driver=quorum,read-pattern=fifo,vote-threshold=1,children.0.file.filename=$dir/primary.img,children.0.driver=raw" \
  -S >"$dir/primary.log" 2>&1 &
for _ in $(seq 100); do [[ -S "$dir/primary.qmp" ]] && break; sleep 0.05; done

# shellcheck disable=SC2086
qemu-system-x86_64 -name secondary "${common[@]}" $net \
  -qmp "unix:$dir/secondary.qmp,server=on,wait=off" -pidfile "$dir/secondary.pid" \
  -chardev "socket,id=red0,host=127.0.0.1,port=$((base + 3)),reconnect=1" \
  -chardev "socket,id=red1,host=127.0.0.1,port=$((base + 4)),reconnect=1" \
  -object filter-redirector,id=f1,netdev=hn0,queue=tx,indev=red0 \
  -object filter-redirector,id=f2,netdev=hn0,queue=rx,outdev=red1 \
  -object filter-rewriter,id=rew0,netdev=hn0,queue=all \
  -drive "if=none,id=parent0,file.filename=$dir/parent.img,driver=raw" \
  -drive "if=none,id=childs0,driver=replication,mode=secondary,file.driver=qcow2,top-id=colo-disk0,file.file.filename=$dir/active.qcow2,file.backing.driver=qcow2,file.backing.file.filename=$dir/hidden.qcow2,file.backing.backing=parent0" \
  -drive "if=ide,id=colo-disk0,driver=quorum,read-pattern=fifo,vote-threshold=1,children.0=childs0" \
  -incoming "tcp:127.0.0.1:$((base + 998))" >"$dir/secondary.log" 2>&1 &

for _ in $(seq 200); do [[ -S "$dir/secondary.qmp" && -s "$dir/primary.pid" && -s "$dir/secondary.pid" ]] && break; sleep 0.05; done
if ! [[ -s "$dir/primary.pid" && -s "$dir/secondary.pid" ]]; then
  echo "start.sh: QEMU did not start; logs:" >&2; cat "$dir"/*.log >&2; "$here/stop.sh" --dir "$dir" >&2; exit 1
fi

colo='{"execute":"migrate-set-capabilities","arguments":{"capabilities":[{"capability":"x-colo","state":true},{"capability":"events","state":true}]}}'
if ! "$here/qmp.py" "$dir/secondary.qmp" "$colo" \
      "{\"execute\":\"nbd-server-start\",\"arguments\":{\"addr\":{\"type\":\"inet\",\"data\":{\"host\":\"127.0.0.1\",\"port\":\"$((base + 999))\"}}}}" \
      '{"execute":"nbd-server-add","arguments":{"device":"parent0","writable":true}}' >/dev/null \
   || ! "$here/qmp.py" "$dir/primary.qmp" \
      "{\"execute\":\"human-monitor-command\",\"arguments\":{\"command-line\":\"drive_add -n buddy driver=replication,mode=primary,file.driver=nbd,file.host=127.0.0.1,file.port=$((base + 999)),file.export=parent0,node-name=replication0\"}}" \
      '{"execute":"x-blockdev-change","arguments":{"parent":"colo-disk0","node":"replication0"}}' \
      "$colo" \
      "{\"execute\":\"migrate\",\"arguments\":{\"uri\":\"tcp:127.0.0.1:$((base + 998))\"}}" >/dev/null; then
  echo "start.sh: bringing the pair to COLO failed; logs:" >&2; cat "$dir"/*.log >&2; "$here/stop.sh" --dir "$dir" >&2; exit 1
fi

for _ in $(seq 100); do
  if "$here/qmp.py" "$dir/primary.qmp" '{"execute":"query-colo-status"}' | grep -q '"mode": "primary"'; then
    echo "primary QMP:   $dir/primary.qmp"
    echo "secondary QMP: $dir/secondary.qmp"
    echo "stop with:     $here/stop.sh --dir $dir"
    exit 0
  fi
  sleep 0.1
done
echo "start.sh: the pair did not reach COLO in 10 s; logs:" >&2; cat "$dir"/*.log >&2
"$here/stop.sh" --dir "$dir" >&2
exit 1
