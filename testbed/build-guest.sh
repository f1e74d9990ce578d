#!/usr/bin/env bash
# Builds the testbed's Linux guest: Debian's cloud kernel and a busybox initramfs whose init
# (guest/init) brings up virtio-net and the IDE disk and serves HTTP (guest/http-handler). Built
# once and cached outside the clone, keyed by the package versions and a hash of guest/ and of this
# script; prints the directory holding vmlinuz and initramfs.cpio.
#
#   build-guest.sh [--quiet]
#
# Nothing is installed on the host: the kernel and busybox-static packages are downloaded through
# a private apt configuration (private-apt.sh) and unpacked with dpkg-deb. Cache: ${XDG_CACHE_HOME:-$HOME/.cache}/hybrid-ft/.
set -euo pipefail

KERNEL_META=linux-image-cloud-amd64
# virtio-net, and the IDE disk (the pair's replicated disk, written raw by /cgi-bin/append). Their
# dependencies are added from the kernel's modules.dep; built-in ones are skipped.
MODULES=(virtio_net ata_piix sd_mod)

die() { echo "build-guest.sh: $*" >&2; exit 1; }
quiet=false
while [[ $# -gt 0 ]]; do
  case "$1" in
    --quiet) quiet=true; shift ;;
    -h|--help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 0 ;;
    *) echo "build-guest.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done
say() { $quiet || echo "$*" >&2; }
for tool in apt-get apt-cache dpkg-deb flock sha256sum; do
  command -v "$tool" >/dev/null || die "$tool not found (a Debian host is needed)"
done

here="$(cd "$(dirname "$0")" && pwd)"
cache="${XDG_CACHE_HOME:-$HOME/.cache}/hybrid-ft"
mkdir -p "$cache"
exec 8>"$cache/.guest-build.lock"
flock 8

log="$cache/guest-build.log"
: >"$log"
# shellcheck source=private-apt.sh
. "$here/private-apt.sh"
private_apt_update "$log" || die "$private_apt_error (log: $log)"
# The kernel package the meta package points at today, and busybox-static's candidate.
kernel_package="$(apt-cache "${private_apt_options[@]}" depends "$KERNEL_META" 2>/dev/null | sed -n 's/^ *Depends: \(linux-image-[^ ]*\)$/\1/p' | head -n 1)"
[[ -n "$kernel_package" ]] || die "apt-cache knows no $KERNEL_META (log: $log)"
kernel_version="$(apt-cache "${private_apt_options[@]}" policy "$kernel_package" | sed -n 's/^ *Candidate: //p')"
busybox_version="$(apt-cache "${private_apt_options[@]}" policy busybox-static | sed -n 's/^ *Candidate: //p')"
[[ -n "$busybox_version" && "$busybox_version" != "(none)" ]] || die "apt-cache knows no busybox-static"
key="$( { echo "$kernel_package $kernel_version busybox-static $busybox_version ${MODULES[*]}"; cat "$here/guest/init" "$here/guest/http-handler" "$here/build-guest.sh"; } | sha256sum | cut -c1-12)"
out="$cache/guest-$key"
if [[ -s "$out/vmlinuz" && -s "$out/initramfs.cpio" ]]; then
  echo "$out"; exit 0
fi

work="$cache/guest-build.tmp"
rm -rf "$work"
mkdir -p "$work/debs"
say "downloading $kernel_package $kernel_version and busybox-static $busybox_version"
(cd "$work/debs" && apt-get "${private_apt_options[@]}" download "$kernel_package=$kernel_version" "busybox-static=$busybox_version") \
  >>"$log" 2>&1 || die "apt-get download from $private_apt_mirror_origin failed (log: $log)"
dpkg-deb -x "$work/debs/${kernel_package}_"*.deb "$work/kernel" || die "unpacking $kernel_package failed"
dpkg-deb -x "$work/debs/busybox-static_"*.deb "$work/busybox" || die "unpacking busybox-static failed"

root="$work/root"
mkdir -p "$root"/{bin,dev,proc,sys,tmp,lib/modules}
cp "$work/busybox/bin/busybox" "$root/bin/busybox"
cp "$here/guest/init" "$root/init"
cp "$here/guest/http-handler" "$root/bin/http-handler"
chmod 755 "$root/init" "$root/bin/http-handler"
# Each module after its dependencies (modules.dep lists them, nearest first), once; init loads
# them in the order of lib/modules/load-order.
moddir="$(dirname "$(find "$work/kernel/lib/modules" -name modules.dep | head -n 1)")"
[[ -f "$moddir/modules.dep" ]] || die "$kernel_package has no modules.dep"
order=()
add_module() {   # add_module PATH_IN_MODULES_DEP
  local path="$1" dep seen
  for seen in "${order[@]}"; do [[ "$seen" == "$path" ]] && return 0; done
  for dep in $(sed -n "s|^$path: *||p" "$moddir/modules.dep" | tr ' ' '\n' | tac); do add_module "$dep"; done
  order+=("$path")
}
for module in "${MODULES[@]}"; do
  path="$(grep -E "(^|/)${module}\.ko(\.[a-z]+)?:" "$moddir/modules.dep" | head -n 1 | cut -d: -f1)"
  if [[ -z "$path" ]]; then
    grep -qE "/${module}\.ko$" "$moddir/modules.builtin" 2>/dev/null && continue
    die "$kernel_package has no $module.ko"
  fi
  add_module "$path"
done
: >"$root/lib/modules/load-order"
for path in "${order[@]}"; do
  name="$(basename "$path")"
  case "$name" in
    *.ko) cp "$moddir/$path" "$root/lib/modules/$name" ;;
    *.ko.xz) xz -dc "$moddir/$path" >"$root/lib/modules/${name%.xz}"; name="${name%.xz}" ;;
    *.ko.zst) zstd -qdc "$moddir/$path" >"$root/lib/modules/${name%.zst}"; name="${name%.zst}" ;;
    *) die "cannot unpack module $path" ;;
  esac
  echo "$name" >>"$root/lib/modules/load-order"
done
# The host may have no cpio: busybox packs its own archive.
(cd "$root" && find . | LC_ALL=C sort | "$work/busybox/bin/busybox" cpio -o -H newc >"$work/initramfs.cpio" 2>>"$log") \
  || die "packing the initramfs failed (log: $log)"

rm -rf "$out.tmp"
mkdir -p "$out.tmp"
cp "$work/kernel/boot/vmlinuz-"* "$out.tmp/vmlinuz"
mv "$work/initramfs.cpio" "$out.tmp/initramfs.cpio"
echo "$kernel_package $kernel_version, busybox-static $busybox_version" >"$out.tmp/BUILD-INFO"
rm -rf "$out"
mv "$out.tmp" "$out"
rm -rf "$work"
say "guest: $out/vmlinuz and $out/initramfs.cpio ($(du -k "$out/initramfs.cpio" | cut -f1) KiB)"
echo "$out"
