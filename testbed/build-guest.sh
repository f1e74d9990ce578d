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
# virtio-net, and the IDE disk (the pair's replicated disk, written raw by /cgi-bin/append), with
# their dependencies; built-in ones are skipped.
MODULES=(virtio_pci virtio_net ata_piix sd_mod)

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
# Each module after its dependencies, once; init loads them in the order of lib/modules/load-order.
# The package has no modules.dep (depmod writes it on install), so the dependencies come from each
# module's own .modinfo "depends=" entry; a module name spells with "_" what a file name may spell
# with "-".
declare -A module_file=()
while IFS= read -r file; do
  name="$(basename "$file")"; name="${name%%.ko*}"
  module_file["${name//-/_}"]="$file"
done < <(find "$work/kernel/lib/modules" -name '*.ko*')
builtin="$(find "$work/kernel/lib/modules" -name modules.builtin | head -n 1)"
unpacked() {   # unpacked FILE: the module's bytes
  case "$1" in
    *.ko) cat "$1" ;; *.ko.xz) xz -dc "$1" ;; *.ko.zst) zstd -qdc "$1" ;;
    *) die "cannot unpack module $1" ;;
  esac
}
order=()
add_module() {   # add_module NAME
  local name="${1//-/_}" dep seen
  for seen in "${order[@]}"; do [[ "$seen" == "$name" ]] && return 0; done
  if [[ -z "${module_file[$name]:-}" ]]; then
    [[ -n "$builtin" ]] && grep -qE "/${1}\.ko$|/${name}\.ko$" "$builtin" && return 0
    die "$kernel_package has no module $1"
  fi
  for dep in $(unpacked "${module_file[$name]}" | tr '\0' '\n' | sed -n 's/^depends=//p' | tr ',' ' '); do
    add_module "$dep"
  done
  order+=("$name")
}
for module in "${MODULES[@]}"; do add_module "$module"; done
: >"$root/lib/modules/load-order"
for name in "${order[@]}"; do
  unpacked "${module_file[$name]}" >"$root/lib/modules/$name.ko"
  echo "$name.ko" >>"$root/lib/modules/load-order"
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
