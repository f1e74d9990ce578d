# Sourced by build-qemu.sh and build-guest.sh: apt-get/apt-cache with a private source list and
# state under the testbed's cache, so packages are downloaded (never installed) without touching
# the host's apt configuration. Needs $cache.
private_apt_dir="$cache/apt"
private_apt_options=(-o "Dir::Etc::SourceList=$private_apt_dir/sources.list" -o "Dir::Etc::SourceParts=$private_apt_dir/parts"
  -o "Dir::State::Lists=$private_apt_dir/lists" -o "Dir::Cache::Archives=$private_apt_dir/archives"
  -o "Dir::Cache::pkgcache=" -o "Dir::Cache::srcpkgcache=" -o "APT::Sandbox::User=root")

# private_apt_update LOG: writes the source list (bookworm with its updates, bookworm-backports,
# trixie's sources) and refreshes it at most once an hour.
private_apt_update() {
  mkdir -p "$private_apt_dir/lists/partial" "$private_apt_dir/parts" "$private_apt_dir/archives/partial"
  local keyring=/usr/share/keyrings/debian-archive-keyring.gpg mirror=http://deb.debian.org/debian
  cat >"$private_apt_dir/sources.list.new" <<SOURCES
deb [signed-by=$keyring] $mirror bookworm main
deb [signed-by=$keyring] $mirror bookworm-updates main
deb [signed-by=$keyring] http://deb.debian.org/debian-security bookworm-security main
deb [signed-by=$keyring] $mirror bookworm-backports main
deb-src [signed-by=$keyring] $mirror trixie main
SOURCES
  local stamp="$private_apt_dir/updated"
  exec 7>"$private_apt_dir/.lock"
  flock 7   # build-qemu.sh and build-guest.sh may run at once; apt would refuse the second
  if cmp -s "$private_apt_dir/sources.list.new" "$private_apt_dir/sources.list" && [[ -n "$(find "$stamp" -mmin -60 2>/dev/null)" ]]; then
    rm -f "$private_apt_dir/sources.list.new"; exec 7>&-; return 0
  fi
  mv "$private_apt_dir/sources.list.new" "$private_apt_dir/sources.list"
  local status=0
  apt-get "${private_apt_options[@]}" update >>"$1" 2>&1 && touch "$stamp" || status=$?
  exec 7>&-
  return "$status"
}
