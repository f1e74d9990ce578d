# Sourced by build-qemu.sh and build-guest.sh: apt-get/apt-cache with a private source list and
# state under the testbed's cache, so packages are downloaded (never installed) without touching
# the host's apt configuration. Needs $cache.
#
# The Debian mirror is the one this machine's apt already uses (a company or offline mirror
# works as well as any): the first source in /etc/apt/sources.list and
# /etc/apt/sources.list.d/*.list|*.sources whose suite is a Debian release, and for security
# updates the first whose suite is <release>-security. Override with
#   HYBRIDFT_DEBIAN_MIRROR=URI            the archive (bookworm, its updates and backports, trixie's sources)
#   HYBRIDFT_DEBIAN_SECURITY_MIRROR=URI   bookworm-security ("none" to leave it out)
private_apt_dir="$cache/apt"
private_apt_options=(-o "Dir::Etc::SourceList=$private_apt_dir/sources.list" -o "Dir::Etc::SourceParts=$private_apt_dir/parts"
  -o "Dir::State::Lists=$private_apt_dir/lists" -o "Dir::Cache::Archives=$private_apt_dir/archives"
  -o "Dir::Cache::pkgcache=" -o "Dir::Cache::srcpkgcache=" -o "APT::Sandbox::User=root")
private_apt_etc="${HYBRIDFT_APT_ETC:-/etc/apt}"   # tests point it at a folder of their own

# private_apt_sources: one line "URI SUITE FILE" per deb source of this machine's apt, in apt's
# order (sources.list, then sources.list.d/ by name); one-line and deb822 formats.
private_apt_sources() {
  local file
  for file in "$private_apt_etc/sources.list" "$private_apt_etc"/sources.list.d/*.list "$private_apt_etc"/sources.list.d/*.sources; do
    [[ -f "$file" ]] || continue
    if [[ "$file" == *.sources ]]; then
      # deb822: stanzas separated by blank lines; Types, URIs and Suites may hold several values.
      awk -v file="$file" '
        function flush(   i, j, nu, ns, u, s) {
          if (types ~ /(^| )deb( |$)/ && enabled !~ /^(no|false)$/) {
            nu = split(uris, u, " "); ns = split(suites, s, " ")
            for (i = 1; i <= nu; i++) for (j = 1; j <= ns; j++) print u[i], s[j], file
          }
          types = ""; uris = ""; suites = ""; enabled = ""
        }
        /^[ \t]*#/ { next }
        /^[ \t]*$/ { flush(); next }
        { key = tolower($1); sub(/:$/, "", key); $1 = ""; sub(/^[ \t]+/, "")
          if (key == "types") types = $0; else if (key == "uris") uris = $0
          else if (key == "suites") suites = $0; else if (key == "enabled") enabled = tolower($0) }
        END { flush() }' "$file"
    else
      # one-line: deb [options] URI SUITE COMPONENT...
      sed -e 's/#.*//' -e 's/\[[^]]*\]//' "$file" | awk -v file="$file" '$1 == "deb" && NF >= 3 { print $2, $3, file }'
    fi
  done
}

# private_apt_mirrors: sets private_apt_mirror, private_apt_security_mirror and
# private_apt_mirror_origin (where they came from, for error messages); fails, with the reason in
# private_apt_error, when the machine's apt names no Debian archive and no override is set.
private_apt_mirrors() {
  local releases='^(bookworm|trixie|forky|bullseye|sid|stable|testing|unstable|oldstable)$'
  local uri suite file archive="" archive_from="" security="" security_from=""
  while read -r uri suite file; do
    uri="${uri%/}"
    if [[ -z "$archive" && "$suite" =~ $releases ]]; then archive="$uri" archive_from="$file"; fi
    if [[ -z "$security" && "${suite%-security}" =~ $releases && "$suite" == *-security ]]; then security="$uri" security_from="$file"; fi
  done < <(private_apt_sources)
  if [[ -n "${HYBRIDFT_DEBIAN_MIRROR:-}" ]]; then
    private_apt_mirror="${HYBRIDFT_DEBIAN_MIRROR%/}"; private_apt_mirror_origin="HYBRIDFT_DEBIAN_MIRROR=$private_apt_mirror"
  elif [[ -n "$archive" ]]; then
    private_apt_mirror="$archive"; private_apt_mirror_origin="$archive from $archive_from"
  else
    private_apt_error="no Debian archive in $private_apt_etc/sources.list or $private_apt_etc/sources.list.d/ (a 'deb' source whose suite is a Debian release); set HYBRIDFT_DEBIAN_MIRROR=URI"
    return 1
  fi
  if [[ -n "${HYBRIDFT_DEBIAN_SECURITY_MIRROR:-}" ]]; then
    private_apt_security_mirror="${HYBRIDFT_DEBIAN_SECURITY_MIRROR%/}"
    private_apt_mirror_origin+=", security HYBRIDFT_DEBIAN_SECURITY_MIRROR=$private_apt_security_mirror"
  elif [[ -n "$security" ]]; then
    private_apt_security_mirror="$security"; private_apt_mirror_origin+=", security $security from $security_from"
  else
    private_apt_security_mirror=none; private_apt_mirror_origin+=", no security source"
  fi
}

# private_apt_update LOG: writes the source list (bookworm with its updates, bookworm-security,
# bookworm-backports, trixie's sources, from this machine's mirror) and refreshes it at most once an
# hour. On failure private_apt_error says which mirror was tried and where it came from.
private_apt_update() {
  private_apt_mirrors || return 1
  mkdir -p "$private_apt_dir/lists/partial" "$private_apt_dir/parts" "$private_apt_dir/archives/partial"
  local keyring=/usr/share/keyrings/debian-archive-keyring.gpg mirror="$private_apt_mirror"
  {
    echo "deb [signed-by=$keyring] $mirror bookworm main"
    echo "deb [signed-by=$keyring] $mirror bookworm-updates main"
    [[ "$private_apt_security_mirror" == none ]] || echo "deb [signed-by=$keyring] $private_apt_security_mirror bookworm-security main"
    echo "deb [signed-by=$keyring] $mirror bookworm-backports main"
    echo "deb-src [signed-by=$keyring] $mirror trixie main"
  } >"$private_apt_dir/sources.list.new"
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
  if [[ "$status" -ne 0 ]]; then
    private_apt_error="apt-get update from $private_apt_mirror_origin failed: $(grep -E '^(E|W|Err):' "$1" | tail -n 1)"
  fi
  return "$status"
}
