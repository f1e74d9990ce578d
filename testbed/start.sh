#!/usr/bin/env bash
# Starts a QEMU COLO pair (primary and secondary on loopback), brings it to COLO and prints the two
# QMP sockets and, for the Linux guest, its HTTP address. stop.sh ends exactly what this started.
#
#   start.sh [--guest linux|bios] [--guest-dir DIR] [--accel tcg|kvm] [--qemu PATH] [--dir DIR]
#            [--base-port N] [--timeout SECONDS] [--link-proxy] [--name NAME] [--libvirt URI]
#            [--link loopback|shaped] [--link-rate RATE] [--link-delay MS]
#
# --guest      linux (default): Debian's cloud kernel and a busybox initramfs serving HTTP on
#              virtio-net (build-guest.sh); bios: no OS, the guest sends no packet
# --guest-dir  with --guest linux: boot DIR/vmlinuz and DIR/initramfs.cpio instead of build-guest.sh's
#              (your own guest; start.sh waits until it serves HTTP on port 80)
# --accel      tcg (default; works on any machine with the testbed's QEMU, whose COLO fix is
#              for TCG) or kvm (needs a usable /dev/kvm)
# --qemu       the qemu-system-x86_64 to run (default: the testbed's, built by build-qemu.sh)
# --dir        where images, sockets, logs and pid files go, readable by you only (default: a new
#              temp dir); the pair's own links (colo-compare's chardevs, migration, NBD) are unix
#              sockets there, so no other user can reach them
# --base-port  N+7 is the primary's loopback HTTP forward, N+8 the secondary's (default 19000)
# --timeout    bound on the whole start, in seconds (default 180 under tcg, 90 under kvm)
# --link-proxy the four links between primary and secondary (migration, NBD, mirror, compare1)
#              pass through linkproxy.py, whose pid is in DIR/link-proxy.pid: SIGUSR1 cuts them
#              (closed, as when the network between two hosts goes down), SIGUSR2 blackholes them
# --link       loopback (default): the links are unix sockets between the two QEMUs, far faster
#              than any network; shaped (needs root): the primary's and the secondary's ends of
#              every link are relayed over TCP between two network namespaces of the pair's own,
#              hft-N-p and hft-N-s (N the base port), joined by a veth pair whose both ends are
#              shaped with tc's tbf to --link-rate, the relays adding --link-delay each way
# --link-rate  with --link shaped: the link's bandwidth in tc's units (default 1gbit)
# --link-delay with --link shaped: one-way delay in milliseconds, in [0, 1000] (default 0.2)
# --name       the primary's QEMU -name, which names the VM in hybrid-ft's metrics and logs
#              (default primary; the secondary is NAME-secondary, or secondary by default);
#              letters, digits, '.', '_' and '-'
# --libvirt    the primary runs as a transient libvirt domain of that name on the libvirt daemon at
#              URI (libvirt.sh start prints one), its COLO devices and objects passed through
#              <qemu:commandline>; the secondary stays a plain QEMU. DIR/primary.libvirt holds the
#              URI and the name, and stop.sh destroys the domain
#
# Besides the two QMP sockets it prints, the primary has a second monitor, DIR/primary-ha.qmp,
# for a failover manager: QEMU's unix QMP socket serves one client at a time, and the first is
# the control loop's.
set -euo pipefail

usage() { awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; }
guest=linux guest_dir="" accel="" qemu="" dir="" base=19000 timeout="" link_proxy=false name="" libvirt=""
link=loopback link_rate="" link_delay=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --guest|--guest-dir|--accel|--qemu|--dir|--base-port|--timeout|--name|--libvirt|--link|--link-rate|--link-delay)
      [[ $# -ge 2 ]] || { echo "start.sh: $1 needs a value (see --help)" >&2; exit 2; }
      case "$1" in
        --guest) guest="$2" ;; --guest-dir) guest_dir="$2" ;; --accel) accel="$2" ;; --qemu) qemu="$2" ;; --dir) dir="$2" ;;
        --base-port) base="$2" ;; --timeout) timeout="$2" ;; --name) name="$2" ;; --libvirt) libvirt="$2" ;;
        --link) link="$2" ;; --link-rate) link_rate="$2" ;; --link-delay) link_delay="$2" ;;
      esac
      shift 2 ;;
    --link-proxy) link_proxy=true; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "start.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done

here="$(cd "$(dirname "$0")" && pwd)"
kvm_usable() { [[ -c /dev/kvm && -r /dev/kvm && -w /dev/kvm ]]; }   # never opened: '<>' would create it
case "$guest" in linux|bios) ;; *) echo "start.sh: --guest must be linux or bios, was '$guest'" >&2; exit 2 ;; esac
accel="${accel:-tcg}"
case "$accel" in kvm|tcg) ;; *) echo "start.sh: --accel must be kvm or tcg, was '$accel'" >&2; exit 2 ;; esac
if ! [[ "$base" =~ ^[0-9]+$ ]] || (( base < 1024 || base > 65000 )); then
  echo "start.sh: --base-port must be a number in [1024, 65000], was '$base'" >&2; exit 2
fi
if [[ -n "$name" ]] && ! [[ "$name" =~ ^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$ ]]; then
  echo "start.sh: --name must be 1-64 letters, digits, '.', '_' or '-', starting with a letter or digit, was '$name'" >&2
  exit 2
fi
primary_name="${name:-primary}" secondary_name="${name:+$name-}secondary"
[[ -n "$timeout" ]] || { [[ "$accel" == tcg ]] && timeout=180 || timeout=90; }
if ! [[ "$timeout" =~ ^[0-9]+$ ]] || (( timeout < 5 || timeout > 3600 )); then
  echo "start.sh: --timeout must be whole seconds in [5, 3600], was '$timeout'" >&2; exit 2
fi
if [[ -n "$guest_dir" ]]; then
  [[ "$guest" == linux ]] || { echo "start.sh: --guest-dir needs --guest linux, was '$guest'" >&2; exit 2; }
  for file in vmlinuz initramfs.cpio; do
    [[ -f "$guest_dir/$file" && -r "$guest_dir/$file" ]] \
      || { echo "start.sh: --guest-dir $guest_dir has no readable $file (it needs vmlinuz and initramfs.cpio)" >&2; exit 2; }
  done
  guest_dir="$(cd "$guest_dir" && pwd)"
fi
if [[ "$accel" == kvm ]] && ! kvm_usable; then
  echo "start.sh: --accel kvm but /dev/kvm is not a character device this user may read and write; use --accel tcg" >&2; exit 1
fi
case "$link" in
  loopback)
    [[ -z "$link_rate$link_delay" ]] || { echo "start.sh: --link-rate and --link-delay need --link shaped" >&2; exit 2; } ;;
  shaped)
    link_rate="${link_rate:-1gbit}" link_delay="${link_delay:-0.2}"
    if ! [[ "$link_rate" =~ ^[0-9]+(\.[0-9]+)?([kmg]?(bit|bps))$ ]]; then
      echo "start.sh: --link-rate must be a number with a unit tc knows (kbit, mbit, gbit, bit, kbps, mbps, gbps, bps), was '$link_rate'" >&2; exit 2
    fi
    if ! [[ "$link_delay" =~ ^[0-9]+(\.[0-9]+)?$ ]] || awk -v d="$link_delay" 'BEGIN { exit !(d > 1000) }'; then
      echo "start.sh: --link-delay must be milliseconds in [0, 1000], was '$link_delay'" >&2; exit 2
    fi
    $link_proxy && { echo "start.sh: --link-proxy and --link shaped cannot be combined" >&2; exit 2; }
    [[ "$(id -u)" == 0 ]] || { echo "start.sh: --link shaped needs root (it creates network namespaces and a veth pair)" >&2; exit 1; }
    for tool in ip tc; do
      command -v "$tool" >/dev/null || { echo "start.sh: --link shaped needs $tool (run testbed/install-deps.sh)" >&2; exit 1; }
    done ;;
  *) echo "start.sh: --link must be loopback or shaped, was '$link'" >&2; exit 2 ;;
esac
if [[ -n "$libvirt" ]] && ! command -v virsh >/dev/null; then
  echo "start.sh: --libvirt needs virsh (run testbed/install-deps.sh)" >&2; exit 1
fi
for tool in qemu-img ss; do
  command -v "$tool" >/dev/null || { echo "start.sh: $tool not found (run testbed/install-deps.sh)" >&2; exit 1; }
done
[[ -x /usr/bin/python3 ]] || { echo "start.sh: /usr/bin/python3 not found (run testbed/install-deps.sh)" >&2; exit 1; }
started=$SECONDS
if [[ -z "$qemu" ]]; then
  qemu="$("$here/build-qemu.sh" --quiet)" || { echo "start.sh: the testbed's QEMU could not be built (see the line above)" >&2; exit 1; }
fi
[[ -x "$qemu" ]] || { echo "start.sh: --qemu $qemu is not an executable file" >&2; exit 1; }
if [[ -z "$guest_dir" && "$guest" == linux ]]; then
  guest_dir="$("$here/build-guest.sh" --quiet)" || { echo "start.sh: the Linux guest could not be built (see the line above)" >&2; exit 1; }
fi

umask 077   # images, sockets, logs: the pair's user's alone
dir="${dir:-$(mktemp -d "${TMPDIR:-/tmp}/colo-pair.XXXXXX")}"
mkdir -p "$dir"
chmod 700 "$dir" 2>/dev/null || { echo "start.sh: cannot make $dir private (chmod 700)" >&2; exit 1; }
dir="$(cd "$dir" && pwd)"
if [[ -e "$dir/primary.pid" || -e "$dir/secondary.pid" || -e "$dir/link-proxy.pid" || -e "$dir/primary.libvirt" \
    || -e "$dir/link.netns" ]]; then
  echo "start.sh: $dir already holds a pair (run $here/stop.sh --dir $dir first)" >&2; exit 1
fi
fail() {
  local logs="" log
  for log in primary.log secondary.log primary-console.log; do
    [[ -s "$dir/$log" ]] && logs="${logs:+$logs, }$dir/$log"
  done
  echo "start.sh: $1; logs: ${logs:-none written, in $dir}" >&2
  exit 1   # stop_started, on EXIT, stops what was started
}
remaining() { echo $(( timeout - (SECONDS - started) )); }
# Ended before the pair is up (a failure, SIGTERM, SIGINT, SIGHUP): stop every QEMU this started,
# also one that has not yet written its pid file, and the helper that was running.
up=false child="" launched=()
stop_started() {
  $up && return 0
  if [[ -n "$child" ]]; then kill "$child" 2>/dev/null || true; fi
  "$here/stop.sh" --dir "$dir" >/dev/null 2>&1 || true
  local entry pid
  for entry in "${launched[@]}"; do
    pid="${entry%%:*}"
    if [[ -r "/proc/$pid/cmdline" ]] && tr '\0' '\n' <"/proc/$pid/cmdline" 2>/dev/null | grep -qxF -- "${entry#*:}"; then
      kill -9 "$pid" 2>/dev/null || true
    fi
  done
  return 0
}
trap stop_started EXIT
interrupted() { echo "start.sh: interrupted by SIG$1; stopped the QEMUs it had started in $dir" >&2; exit $(( 128 + $2 )); }
trap 'interrupted TERM 15' TERM
trap 'interrupted INT 2' INT
trap 'interrupted HUP 1' HUP
# Runs a command as a child and waits for it, so that a signal is handled at once, not after it.
waited() { "$@" & child=$!; wait "$child"; }

for port in $((base + 7)) $((base + 8)); do
  if [[ -n "$(ss -Hltn "sport = :$port" 2>/dev/null)" ]]; then
    echo "start.sh: port $port is in use; choose another --base-port" >&2; exit 1
  fi
done
http=$((base + 7)) http_secondary=$((base + 8))
# The pair's links: unix sockets in the pair's folder, which only its user may enter.
mirror="$dir/mirror.sock" compare1="$dir/compare1.sock" compare0="$dir/compare0.sock"
compare_out="$dir/compare-out.sock" migration="$dir/migration.sock" nbd="$dir/nbd.sock"
# Where each side connects: the other side's socket, or the link proxy's in front of it.
to_migration="$migration" to_nbd="$nbd" to_mirror="$mirror" to_compare1="$compare1"
if $link_proxy || [[ "$link" == shaped ]]; then
  to_migration="$dir/link-migration.sock" to_nbd="$dir/link-nbd.sock"
  to_mirror="$dir/link-mirror.sock" to_compare1="$dir/link-compare1.sock"
fi

for image in "raw primary.img" "raw parent.img" "qcow2 active.qcow2" "qcow2 hidden.qcow2"; do
  set -- $image
  qemu-img create -q -f "$1" "$dir/$2" 16M >>"$dir/primary.log" 2>&1 || fail "qemu-img could not create $dir/$2"
done

common=(-machine "pc,accel=$accel" -display none -vga none -parallel none -monitor none
  -L /usr/share/seabios -L /usr/share/qemu)
if [[ "$guest" == linux ]]; then
  common+=(-m 128 -kernel "$guest_dir/vmlinuz" -initrd "$guest_dir/initramfs.cpio"
    -append "console=ttyS0 quiet panic=-1")
  nic="virtio-net-pci,id=e0,netdev=hn0,romfile="
else
  common+=(-m 64)
  nic="rtl8139,id=e0,netdev=hn0,romfile="
fi

# The primary waits for the secondary on compare1 (wait=on), so it starts first, in the background.
primary_args=(-serial "file:$dir/primary-console.log"
  -netdev "user,id=hn0,hostfwd=tcp:127.0.0.1:$http-:80" -device "$nic"
  -qmp "unix:$dir/primary.qmp,server=on,wait=off" -qmp "unix:$dir/primary-ha.qmp,server=on,wait=off"
  -chardev "socket,id=mirror0,path=$mirror,server=on,wait=off"
  -chardev "socket,id=compare1,path=$compare1,server=on,wait=on"
  -chardev "socket,id=compare0,path=$compare0,server=on,wait=off"
  -chardev "socket,id=compare0-0,path=$compare0"
  -chardev "socket,id=compare_out,path=$compare_out,server=on,wait=off"
  -chardev "socket,id=compare_out0,path=$compare_out"
  -object filter-mirror,id=m0,netdev=hn0,queue=tx,outdev=mirror0
  -object filter-redirector,id=redire0,netdev=hn0,queue=rx,indev=compare_out
  -object filter-redirector,id=redire1,netdev=hn0,queue=rx,outdev=compare0
  -object iothread,id=iothread1
  -object colo-compare,id=comp0,primary_in=compare0-0,secondary_in=compare1,outdev=compare_out0,iothread=iothread1
  -drive "if=ide,id=colo-disk0,driver=quorum,read-pattern=fifo,vote-threshold=1,children.0.file.filename=$dir/primary.img,children.0.driver=raw")
if [[ -n "$libvirt" ]]; then
  # libvirt owns machine, memory and its own monitor; the pair's devices and objects, the guest
  # kernel and the firmware paths pass through. Created paused: the migration starts it.
  xml_escape() { local v=$1; v=${v//&/&amp;}; v=${v//</&lt;}; v=${v//>/&gt;}; v=${v//\'/&apos;}; v=${v//\"/&quot;}; printf '%s' "$v"; }
  passthrough=(-L /usr/share/seabios -L /usr/share/qemu "${primary_args[@]}")
  if [[ "$guest" == linux ]]; then
    passthrough+=(-kernel "$guest_dir/vmlinuz" -initrd "$guest_dir/initramfs.cpio" -append "console=ttyS0 quiet panic=-1")
    memory=128
  else
    memory=64
  fi
  domain_type=qemu; [[ "$accel" == kvm ]] && domain_type=kvm
  {
    echo "<domain type='$domain_type' xmlns:qemu='http://libvirt.org/schemas/domain/qemu/1.0'>"
    echo "  <name>$primary_name</name>"
    echo "  <memory unit='MiB'>$memory</memory>"
    echo "  <vcpu>1</vcpu>"
    echo "  <os><type arch='x86_64' machine='pc'>hvm</type></os>"
    echo "  <features><acpi/></features>"
    echo "  <devices><emulator>$(xml_escape "$qemu")</emulator><controller type='usb' model='none'/><memballoon model='none'/></devices>"
    echo "  <qemu:commandline>"
    for arg in "${passthrough[@]}"; do echo "    <qemu:arg value='$(xml_escape "$arg")'/>"; done
    echo "  </qemu:commandline>"
    echo "</domain>"
  } >"$dir/primary-domain.xml"
  printf '%s\n%s\n' "$libvirt" "$primary_name" >"$dir/primary.libvirt"
  rm -f "$dir/primary-create.rc"
  { virsh -q -c "$libvirt" create --paused "$dir/primary-domain.xml" >>"$dir/primary.log" 2>&1 </dev/null
    echo $? >"$dir/primary-create.rc"; } &
  primary_pid=$!
else
  "$qemu" -name "$primary_name" "${common[@]}" "${primary_args[@]}" -pidfile "$dir/primary.pid" \
    -S >>"$dir/primary.log" 2>&1 </dev/null &
  primary_pid=$!
  launched+=("$primary_pid:$dir/primary.pid")
fi
disown   # its end is reported by fail(), not by bash's job messages
for _ in $(seq 200); do
  [[ -S "$dir/primary.qmp" ]] && break
  if [[ -n "$libvirt" ]]; then
    # virsh returns once the domain is created, which needs the secondary: before, a failure.
    [[ -s "$dir/primary-create.rc" ]] && fail "libvirt could not start the primary: $(tail -n 1 "$dir/primary.log")"
  else
    kill -0 "$primary_pid" 2>/dev/null || fail "the primary QEMU ($qemu) exited at start: $(tail -n 1 "$dir/primary.log")"
  fi
  sleep 0.05
done
[[ -S "$dir/primary.qmp" ]] || fail "the primary QEMU did not open $dir/primary.qmp within 10 s"

if $link_proxy; then
  /usr/bin/python3 "$here/linkproxy.py" --pidfile "$dir/link-proxy.pid" "$to_migration=$migration" \
    "$to_nbd=$nbd" "$to_mirror=$mirror" "$to_compare1=$compare1" >>"$dir/link-proxy.log" 2>&1 </dev/null &
  proxy_pid=$!
  launched+=("$proxy_pid:$dir/link-proxy.pid")
  disown
  for _ in $(seq 100); do
    [[ -s "$dir/link-proxy.pid" ]] && break
    kill -0 "$proxy_pid" 2>/dev/null || fail "the link proxy exited at start: $(tail -n 1 "$dir/link-proxy.log")"
    sleep 0.05
  done
  [[ -s "$dir/link-proxy.pid" ]] || fail "the link proxy did not listen within 5 s"
fi
if [[ "$link" == shaped ]]; then
  # Two namespaces, a veth pair between them, both ends shaped; stop.sh deletes the namespaces
  # named in link.netns (their veth ends go with them). tbf's burst: 10 ms at the rate, at least
  # 64 KiB, so that a segmentation-offloaded packet passes whole.
  ns_p="hft-$base-p" ns_s="hft-$base-s"
  for ns in "$ns_p" "$ns_s"; do
    ip netns list 2>/dev/null | grep -q "^$ns\b" && fail "network namespace $ns exists already (another pair on --base-port $base? ip netns del $ns)"
  done
  printf '%s\n%s\n' "$ns_p" "$ns_s" >"$dir/link.netns"
  rate_bits="$(awk -v r="$link_rate" 'BEGIN { match(r, /^[0-9.]+/); n = substr(r, 1, RLENGTH) + 0; u = substr(r, RLENGTH + 1)
    m = 1; if (u ~ /^k/) m = 1e3; else if (u ~ /^m/) m = 1e6; else if (u ~ /^g/) m = 1e9
    if (u ~ /bps$/) m *= 8; printf "%.0f", n * m }')"
  burst=$(( rate_bits / 800 > 65536 ? rate_bits / 800 : 65536 ))
  { ip netns add "$ns_p" && ip netns add "$ns_s" \
      && ip -n "$ns_p" link add hft-p type veth peer name hft-s netns "$ns_s" \
      && ip -n "$ns_p" addr add 10.77.0.1/30 dev hft-p && ip -n "$ns_s" addr add 10.77.0.2/30 dev hft-s \
      && ip -n "$ns_p" link set lo up && ip -n "$ns_s" link set lo up \
      && ip -n "$ns_p" link set hft-p up && ip -n "$ns_s" link set hft-s up \
      && tc -n "$ns_p" qdisc add dev hft-p root tbf rate "$link_rate" burst "$burst" latency 100ms \
      && tc -n "$ns_s" qdisc add dev hft-s root tbf rate "$link_rate" burst "$burst" latency 100ms
  } >>"$dir/link.log" 2>&1 || fail "the shaped link could not be set up: $(tail -n 1 "$dir/link.log")"
  # The primary's side relays what the primary connects to (migration, NBD) out over TCP and what
  # comes in for it (mirror, compare1) to its unix sockets; the secondary's side the other way round.
  # Each byte passes both relays: each adds half the one-way delay.
  half_delay="$(awk -v d="$link_delay" 'BEGIN { printf "%.4f", d / 2 }')"
  relay() {   # relay SIDE NAMESPACE LINK...
    ip netns exec "$2" /usr/bin/python3 "$here/linkproxy.py" --pidfile "$dir/link-$1.pid" --delay-ms "$half_delay" \
      "${@:3}" >>"$dir/link.log" 2>&1 </dev/null &
    launched+=("$!:$dir/link-$1.pid")
    disown
    for _ in $(seq 100); do
      [[ -s "$dir/link-$1.pid" ]] && return 0
      sleep 0.05
    done
    fail "the $1 side's link relay did not listen within 5 s: $(tail -n 1 "$dir/link.log")"
  }
  relay primary "$ns_p" "$to_migration=tcp:10.77.0.2:7001" "$to_nbd=tcp:10.77.0.2:7002" \
    "tcp:10.77.0.1:7003=$mirror" "tcp:10.77.0.1:7004=$compare1"
  relay secondary "$ns_s" "tcp:10.77.0.2:7001=$migration" "tcp:10.77.0.2:7002=$nbd" \
    "$to_mirror=tcp:10.77.0.1:7003" "$to_compare1=tcp:10.77.0.1:7004"
fi

# reconnect-ms: reconnect= is deprecated since QEMU 9.2; 7.2 knows only reconnect=.
read -r major minor < <("$qemu" -version | sed -n '1s/.*version \([0-9]*\)\.\([0-9]*\).*/\1 \2/p')
if (( ${major:-0} > 9 || ${major:-0} == 9 && ${minor:-0} >= 2 )); then reconnect="reconnect-ms=1000"; else reconnect="reconnect=1"; fi
# Both sides need the same devices for the migration stream: libvirt's primary runs -nodefaults.
secondary_defaults=(); [[ -z "$libvirt" ]] || secondary_defaults=(-nodefaults)
"$qemu" -name "$secondary_name" "${common[@]}" "${secondary_defaults[@]}" -serial "file:$dir/secondary-console.log" \
  -netdev "user,id=hn0,restrict=on,hostfwd=tcp:127.0.0.1:$http_secondary-:80" -device "$nic" \
  -qmp "unix:$dir/secondary.qmp,server=on,wait=off" -pidfile "$dir/secondary.pid" \
  -chardev "socket,id=red0,path=$to_mirror,$reconnect" \
  -chardev "socket,id=red1,path=$to_compare1,$reconnect" \
  -object filter-redirector,id=f1,netdev=hn0,queue=tx,indev=red0 \
  -object filter-redirector,id=f2,netdev=hn0,queue=rx,outdev=red1 \
  -object filter-rewriter,id=rew0,netdev=hn0,queue=all \
  -drive "if=none,id=parent0,file.filename=$dir/parent.img,driver=raw" \
  -drive "if=none,id=childs0,driver=replication,mode=secondary,file.driver=qcow2,top-id=colo-disk0,file.file.filename=$dir/active.qcow2,file.backing.driver=qcow2,file.backing.file.filename=$dir/hidden.qcow2,file.backing.backing=parent0" \
  -drive "if=ide,id=colo-disk0,driver=quorum,read-pattern=fifo,vote-threshold=1,children.0=childs0" \
  -incoming "unix:$migration" >>"$dir/secondary.log" 2>&1 </dev/null &
secondary_pid=$!
launched+=("$secondary_pid:$dir/secondary.pid")
disown

# The primary's pid file: QEMU's own, or, under libvirt, virsh create's exit status (it returns
# once the secondary is connected and the domain is created).
primary_started() {
  if [[ -n "$libvirt" ]]; then [[ -s "$dir/primary-create.rc" ]]; else [[ -s "$dir/primary.pid" ]]; fi
}
for _ in $(seq 300); do
  [[ -S "$dir/secondary.qmp" && -s "$dir/secondary.pid" ]] && primary_started && break
  kill -0 "$secondary_pid" 2>/dev/null || fail "the secondary QEMU exited at start: $(tail -n 1 "$dir/secondary.log")"
  [[ -n "$libvirt" ]] || kill -0 "$primary_pid" 2>/dev/null \
    || fail "the primary QEMU exited at start: $(tail -n 1 "$dir/primary.log")"
  sleep 0.05
done
[[ -s "$dir/secondary.pid" && -S "$dir/secondary.qmp" ]] && primary_started \
  || fail "QEMU did not start both VMs within 15 s (no pid file or QMP socket)"
if [[ -n "$libvirt" && "$(cat "$dir/primary-create.rc")" != 0 ]]; then
  fail "libvirt could not start the primary: $(tail -n 1 "$dir/primary.log")"
fi

pairctl=(waited /usr/bin/python3 "$here/pairctl.py")
colo='{"execute":"migrate-set-capabilities","arguments":{"capabilities":[{"capability":"x-colo","state":true},{"capability":"events","state":true}]}}'
"${pairctl[@]}" qmp "$dir/secondary.qmp" "$colo" \
    "{\"execute\":\"nbd-server-start\",\"arguments\":{\"addr\":{\"type\":\"unix\",\"data\":{\"path\":\"$nbd\"}}}}" \
    '{"execute":"nbd-server-add","arguments":{"device":"parent0","writable":true}}' >/dev/null 2>"$dir/pairctl.err" \
  || fail "preparing the secondary failed: $(head -n 1 "$dir/pairctl.err")"
"${pairctl[@]}" qmp "$dir/primary.qmp" \
    "{\"execute\":\"human-monitor-command\",\"arguments\":{\"command-line\":\"drive_add -n buddy driver=replication,mode=primary,file.driver=nbd,file.server.type=unix,file.server.path=$to_nbd,file.export=parent0,node-name=replication0\"}}" \
    '{"execute":"x-blockdev-change","arguments":{"parent":"colo-disk0","node":"replication0"}}' \
    "$colo" \
    "{\"execute\":\"migrate\",\"arguments\":{\"uri\":\"unix:$to_migration\"}}" >/dev/null 2>"$dir/pairctl.err" \
  || fail "starting the migration to the secondary failed: $(head -n 1 "$dir/pairctl.err")"
(( $(remaining) > 0 )) || fail "no time left for COLO within --timeout $timeout s"
"${pairctl[@]}" wait-colo "$dir/primary.qmp" "$(remaining)" "$dir/secondary.qmp" 2>"$dir/pairctl.err" \
  || fail "$(head -n 1 "$dir/pairctl.err")"
if [[ "$guest" == linux ]]; then
  (( $(remaining) > 0 )) || fail "no time left for the guest's HTTP service within --timeout $timeout s"
  "${pairctl[@]}" wait-http "http://127.0.0.1:$http/cgi-bin/deterministic" "$(remaining)" 2>"$dir/pairctl.err" \
    || fail "$(head -n 1 "$dir/pairctl.err") (accel $accel)"
fi
rm -f "$dir/pairctl.err"
up=true

echo "primary QMP:   $dir/primary.qmp"
echo "secondary QMP: $dir/secondary.qmp"
echo "primary HA QMP: $dir/primary-ha.qmp"
if [[ "$link" == shaped ]]; then
  echo "link:          shaped, $link_rate and $link_delay ms each way (namespaces $ns_p and $ns_s)"
fi
if $link_proxy; then
  echo "link proxy:    pid $(cat "$dir/link-proxy.pid") (SIGUSR1 cuts the replication links, SIGUSR2 blackholes them)"
fi
if [[ "$guest" == linux ]]; then
  echo "guest HTTP:    http://127.0.0.1:$http/"
  echo "after failover the secondary serves http://127.0.0.1:$http_secondary/"
fi
echo "accel $accel, QEMU $qemu, COLO after $(( SECONDS - started )) s"
echo "stop with:     $here/stop.sh --dir $dir"
