#!/usr/bin/env bash
# Builds the testbed's qemu-system-x86_64: Debian's QEMU source with the COLO fix in
# qemu-patches/, x86_64 system emulation only. Built once and cached outside the clone, keyed by the
# QEMU version and a hash of the patches and of the configuration; prints the binary's path.
#
#   build-qemu.sh [--jobs N] [--quiet] [--cached]
#
# --jobs    parallel compile jobs (default: the number of CPUs)
# --quiet   print only the binary's path
# --cached  build nothing: print the cached binary's path, or fail (exit 3) where there is none
#
# Needs the packages install-deps.sh installs (build tools and libraries from Debian bookworm);
# downloads the QEMU source (Debian trixie) and meson (bookworm-backports) through a private apt
# configuration under the cache, so the host's apt sources stay untouched. Cache:
# ${XDG_CACHE_HOME:-$HOME/.cache}/hybrid-ft/ (about 45 MB of downloads, 30 MB of binary).
set -euo pipefail

QEMU_SOURCE_VERSION="1:10.0.13+ds-0+deb13u1"
QEMU_UPSTREAM_VERSION="10.0.13"
MESON_VERSION="1.7.0-1~bpo12+1"
PYCOTAP_VERSION="1.3.1-2~bpo12+1"   # configure requires it even when no test runs
CONFIGURE_OPTIONS=(
  --target-list=x86_64-softmmu --without-default-features
  --enable-slirp --enable-replication --enable-colo-proxy --enable-pixman --enable-tcg --enable-kvm
  --enable-fdt=system --disable-docs --disable-install-blobs --disable-werror
)

die() { echo "build-qemu.sh: $*" >&2; exit 1; }

jobs="$(nproc)"
quiet=false
cached_only=false
while [[ $# -gt 0 ]]; do
  case "$1" in
    --jobs) jobs="${2:-}"; [[ "$jobs" =~ ^[1-9][0-9]*$ ]] || { echo "build-qemu.sh: --jobs needs a positive number, was '${2:-}'" >&2; exit 2; }; shift 2 ;;
    --quiet) quiet=true; shift ;;
    --cached) cached_only=true; shift ;;
    -h|--help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 0 ;;
    *) echo "build-qemu.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done
say() { $quiet || echo "$*" >&2; }

here="$(cd "$(dirname "$0")" && pwd)"
cache="${XDG_CACHE_HOME:-$HOME/.cache}/hybrid-ft"
key="$( { echo "$QEMU_SOURCE_VERSION $MESON_VERSION $PYCOTAP_VERSION ${CONFIGURE_OPTIONS[*]}"; cat "$here"/qemu-patches/*.patch; } | sha256sum | cut -c1-12)"
out="$cache/qemu-$QEMU_UPSTREAM_VERSION-$key"
binary="$out/bin/qemu-system-x86_64"

if [[ -x "$binary" ]] && "$binary" --version >/dev/null 2>&1; then
  echo "$binary"; exit 0
fi
if $cached_only; then
  echo "build-qemu.sh: the testbed's QEMU is not built (no $binary); run testbed/build-qemu.sh" >&2; exit 3
fi

missing=()
for tool in gcc ninja pkg-config flex bison apt-get dpkg-deb patch flock sha256sum; do
  command -v "$tool" >/dev/null || missing+=("$tool")
done
[[ -x /usr/bin/python3 ]] && /usr/bin/python3 -c 'import venv, ensurepip' 2>/dev/null || missing+=("python3-venv")
for lib in glib-2.0 slirp pixman-1 zlib; do pkg-config --exists "$lib" 2>/dev/null || missing+=("$lib (pkg-config)"); done
[[ -f /usr/include/libfdt.h ]] || missing+=("libfdt.h")
if ((${#missing[@]})); then
  die "missing build dependencies: ${missing[*]}; run testbed/install-deps.sh as root"
fi

mkdir -p "$cache"
exec 8>"$cache/.qemu-build.lock"
flock 8   # one build at a time; a second caller waits and then finds the cached binary
if [[ -x "$binary" ]] && "$binary" --version >/dev/null 2>&1; then
  echo "$binary"; exit 0
fi

log="$cache/qemu-build.log"
: >"$log"
fail() { die "$1 (log: $log)"; }

# shellcheck source=private-apt.sh
. "$here/private-apt.sh"
tarball="$cache/downloads/qemu_${QEMU_UPSTREAM_VERSION}+ds.orig.tar.xz"
meson_deb="$cache/downloads/meson_${MESON_VERSION}_all.deb"
pycotap_deb="$cache/downloads/python3-pycotap_${PYCOTAP_VERSION}_all.deb"
if [[ ! -s "$tarball" || ! -s "$meson_deb" || ! -s "$pycotap_deb" ]]; then
  say "downloading Debian's qemu $QEMU_SOURCE_VERSION source, meson $MESON_VERSION and pycotap"
  private_apt_update "$log" || fail "$private_apt_error"
  mkdir -p "$cache/downloads"
  (cd "$cache/downloads" \
    && apt-get "${private_apt_options[@]}" source --download-only "qemu=$QEMU_SOURCE_VERSION" \
    && apt-get "${private_apt_options[@]}" download "meson=$MESON_VERSION" "python3-pycotap=$PYCOTAP_VERSION") \
    >>"$log" 2>&1 || fail "downloading the qemu source, meson or pycotap from $private_apt_mirror_origin failed"
fi

work="$cache/qemu-build.tmp"
rm -rf "$work"
mkdir -p "$work"
# Both are pure Python: unpacked beside the build and found through PYTHONPATH, not installed.
dpkg-deb -x "$meson_deb" "$work/python" && dpkg-deb -x "$pycotap_deb" "$work/python" \
  || fail "unpacking meson or pycotap failed"
say "unpacking and patching QEMU $QEMU_UPSTREAM_VERSION"
tar -C "$work" -xf "$tarball" || fail "unpacking $tarball failed"
src="$work/qemu-$QEMU_UPSTREAM_VERSION"
for p in "$here"/qemu-patches/*.patch; do
  patch -d "$src" -p1 --forward --quiet <"$p" >>"$log" 2>&1 || fail "patch $(basename "$p") does not apply"
done
# Debian's +ds tarball has no edk2 firmware; x86_64 would otherwise unpack it (bzip2 present).
sed -i 's/unpack_edk2_blobs = bzip2.found()/unpack_edk2_blobs = false/' "$src/meson.build"

say "configuring and building qemu-system-x86_64 with $jobs jobs (about 5 minutes on 2 CPUs; log: $log)"
started=$(date +%s)
(
  cd "$src"
  export PYTHONPATH="$work/python/usr/lib/python3/dist-packages"
  mkdir build && cd build
  ../configure --python=/usr/bin/python3 "${CONFIGURE_OPTIONS[@]}"
  ninja -j "$jobs" qemu-system-x86_64
) >>"$log" 2>&1 || fail "the QEMU build failed: $(tail -n 3 "$log" | tr '\n' ' ')"

rm -rf "$out.tmp"
mkdir -p "$out.tmp/bin"
cp "$src/build/qemu-system-x86_64" "$out.tmp/bin/"
{
  echo "QEMU $QEMU_UPSTREAM_VERSION from Debian source $QEMU_SOURCE_VERSION"
  echo "patches: $(cd "$here/qemu-patches" && ls ./*.patch | tr '\n' ' ')"
  echo "configure: ${CONFIGURE_OPTIONS[*]}"
  echo "built $(date -u +%FT%TZ) in $(( $(date +%s) - started )) s"
} >"$out.tmp/BUILD-INFO"
"$out.tmp/bin/qemu-system-x86_64" --version >/dev/null || fail "the built binary does not run"
rm -rf "$out"
mv "$out.tmp" "$out"
rm -rf "$work"
say "built $binary in $(( $(date +%s) - started )) s"
echo "$binary"
