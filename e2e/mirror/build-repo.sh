#!/usr/bin/env bash
# Build the signed Debian repository the e2e lab's VMs use as their apt mirror:
# one Debian release's suites per call, beside the other release's in OUT_DIR.
#
#   bash e2e/mirror/build-repo.sh OUT_DIR RELEASE DPKG_STATUS PACKAGE...
#   e.g. bash e2e/mirror/build-repo.sh ~/.cache/lvs-dr-lab/mirror 13 \
#          ~/.cache/lvs-dr-lab/image/lvs-lab-debian13-cloud-<hash>.dpkg-status \
#          keepalived ipvsadm nginx
#
# RELEASE is 13 (suite trixie) or 12 (bookworm). The suite holds exactly what
# `apt-get install --no-install-recommends PACKAGE...` installs on a system
# whose dpkg status is DPKG_STATUS (that release's `cloud` image's, from
# e2e/image/build-image.sh): the packages and their missing dependencies,
# resolved against the release's apt lists (deb.debian.org) and downloaded
# from Debian's archive. Served as http://deb.debian.org/ by
# e2e/internet/server.js, the sources a lab's packages.mirror gives a VM
# (cloud-init/user-data.ts: the suite, -updates and -security) `apt-get update`
# cleanly (the -updates and -security suites are empty).
#
# OUT_DIR/ (<suite>: trixie or bookworm)
#   debian/pool/<suite>/main/...                 the .debs of the suite
#   debian/dists/<suite>/                        InRelease, Release, Release.gpg,
#     main/binary-amd64/Packages{,.gz}           the index
#   debian/dists/<suite>-updates/                empty index, signed Release
#   debian-security/dists/<suite>-security/      empty index, signed Release
#   archive-key.asc                              the public signing key (signed-by=)
#   debian<RELEASE>.manifest                     "package version", one a line
#   key/                                         the signing key (made once, 0700)
#   debian<RELEASE>.stamp                        the inputs of the suite's build
#
# Reused while the package list, DPKG_STATUS and this script are unchanged and
# the Release files stay valid for another 30 days (Valid-Until: 1 year); one
# build at a time per OUT_DIR (flock); built in a temp dir and renamed into
# place; checked before it is published with an apt-get update + install
# --download-only against file:// sources and signature checking on, in a
# private apt root. The manifest's path is the last line on stdout; progress
# goes to stderr.
#
# Needs apt-utils (apt-ftparchive), gpg, and the release's apt lists (the
# host's when it runs that release, else an `apt-get update` with Debian's
# three sources into OUT_DIR/.lists-<suite>). Needs no root unless the lists
# must be fetched.
set -euo pipefail

readonly ARCH=amd64
readonly MIRROR=${LVSLAB_DEBIAN_MIRROR:-http://deb.debian.org/debian}
readonly SECURITY_MIRROR=${LVSLAB_DEBIAN_SECURITY_MIRROR:-http://deb.debian.org/debian-security}
readonly DEBIAN_KEYRING=/usr/share/keyrings/debian-archive-keyring.gpg
readonly VALID_DAYS=365
readonly MIN_VALID_DAYS=30
# Archive (directory under OUT_DIR) and suite of each dist; only the first
# holds packages.

log() { printf '[build-repo] %s\n' "$*" >&2; }
die() {
  log "$*"
  exit 1
}

if (($# < 4)); then
  echo "usage: $0 OUT_DIR RELEASE DPKG_STATUS PACKAGE..." >&2
  exit 2
fi
script=$(readlink -f "${BASH_SOURCE[0]}")
out_dir=$(readlink -m "$1")
release=$2
status_in=$3
shift 3
case $release in
  13) SUITE=trixie ;;
  12) SUITE=bookworm ;;
  *) die "release '$release': 13 or 12" ;;
esac
readonly SUITE
readonly DISTS=("debian $SUITE" "debian $SUITE-updates" "debian-security $SUITE-security")
readonly MANIFEST=$out_dir/debian$release.manifest STAMP=$out_dir/debian$release.stamp
[[ -f $status_in ]] || die "dpkg status file $status_in not found"
mapfile -t packages < <(printf '%s\n' "$@" | sort -u)

missing=()
for tool in apt-get:apt apt-ftparchive:apt-utils gpg:gpg gpgconf:gpgconf dpkg-deb:dpkg gzip:gzip flock:util-linux; do
  command -v "${tool%%:*}" >/dev/null || missing+=("${tool#*:}")
done
if ((${#missing[@]})); then
  die "missing tools: install them with \`apt-get install ${missing[*]}\`"
fi

mkdir -p "$out_dir"
exec 9>"$out_dir/.lock"
flock 9

stamp_text=$(printf 'script %s\nrelease %s\nstatus %s\narch %s\npackages %s\n' \
  "$(sha256sum <"$script" | cut -d' ' -f1)" "$release" "$(sha256sum <"$status_in" | cut -d' ' -f1)" \
  "$ARCH" "${packages[*]}")

# Seconds until the first Valid-Until of the published Release files (0: none).
valid_for() {
  local release until min=
  for release in "$out_dir/debian/dists/$SUITE/Release" "$out_dir/debian/dists/$SUITE-updates/Release" \
    "$out_dir/debian-security/dists/$SUITE-security/Release"; do
    [[ -f $release ]] || { echo 0; return; }
    until=$(sed -n 's/^Valid-Until: //p' "$release")
    until=$(date -d "$until" +%s 2>/dev/null) || { echo 0; return; }
    if [[ -z $min ]] || ((until < min)); then min=$until; fi
  done
  echo $((min - $(date +%s)))
}

if [[ -f $STAMP && -s $MANIFEST && -s $out_dir/archive-key.asc &&
  $(cat "$STAMP") == "$stamp_text" ]] && (($(valid_for) > MIN_VALID_DAYS * 86400)); then
  log "reusing $SUITE in $out_dir"
  echo "$MANIFEST"
  exit 0
fi

start=$SECONDS
work=$(mktemp -d "$out_dir/.build.XXXXXX")
key_dir=$out_dir/key
cleanup() {
  local rc=$?
  set +e
  gpgconf --homedir "$key_dir" --kill gpg-agent 2>/dev/null
  rm -rf "$work"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- the signing key (made once) -------------------------------------------
if [[ ! -d $key_dir ]]; then
  mkdir -m 0700 "$key_dir"
fi
chmod 0700 "$key_dir"
gpg_k() { gpg --homedir "$key_dir" --batch --quiet --no-tty "$@"; }
fpr=$(gpg_k --with-colons --list-secret-keys 2>/dev/null | awk -F: '$1 == "fpr" { print $10; exit }')
if [[ -z $fpr ]]; then
  log "making the repository signing key (ed25519) in $key_dir"
  gpg_k --passphrase '' --quick-gen-key 'lvs-dr-lab e2e mirror <lvs-dr-lab@e2e.invalid>' ed25519 sign never
  fpr=$(gpg_k --with-colons --list-secret-keys | awk -F: '$1 == "fpr" { print $10; exit }')
  [[ -n $fpr ]] || die "gpg made no key in $key_dir"
fi
gpg_k --armor --export "$fpr" >"$work/archive-key.asc"

# --- what apt would install, downloaded from Debian's archive --------------
mkdir -p "$work/resolve/etc/sources.list.d" "$work/resolve/etc/preferences.d" \
  "$work/resolve/admin" "$work/resolve/archives/partial"
cp "$status_in" "$work/resolve/admin/status"
cat >"$work/resolve/etc/sources.list" <<EOF
deb [arch=$ARCH signed-by=$DEBIAN_KEYRING] $MIRROR $SUITE main
deb [arch=$ARCH signed-by=$DEBIAN_KEYRING] $MIRROR $SUITE-updates main
deb [arch=$ARCH signed-by=$DEBIAN_KEYRING] $SECURITY_MIRROR $SUITE-security main
EOF
# The host's apt configuration (proxy, ...) applies; its sources, pinning,
# dpkg status, package cache and foreign architectures do not.
apt_host=(
  -o Dir::Etc::sourcelist="$work/resolve/etc/sources.list"
  -o Dir::Etc::sourceparts="$work/resolve/etc/sources.list.d"
  -o Dir::Etc::preferences="$work/resolve/etc/preferences"
  -o Dir::Etc::preferencesparts="$work/resolve/etc/preferences.d"
  -o Dir::State::status="$work/resolve/admin/status"
  -o Dir::State::extended_states="$work/resolve/admin/extended_states"
  -o Dir::Cache::archives="$work/resolve/archives/"
  -o Dir::Cache::pkgcache= -o Dir::Cache::srcpkgcache=
  -o APT::Architecture="$ARCH" -o APT::Architectures::="$ARCH"
  -o APT::Install-Recommends=false -o APT::Install-Suggests=false
  -o APT::Sandbox::User=root
)
# The lists of the three sources are there (indextargets names only those).
lists_ok() {
  local f n=0
  # shellcheck disable=SC2016 # $(FILENAME) is apt's template, not the shell's
  while read -r f; do
    [[ -f $f ]] || return 1
    n=$((n + 1))
  done < <(apt-get "${apt_host[@]}" indextargets --format '$(FILENAME)' 'Created-By: Packages')
  ((n == ${#DISTS[@]}))
}
if ! lists_ok; then
  [[ -d $DEBIAN_KEYRING || -f $DEBIAN_KEYRING ]] || die "$DEBIAN_KEYRING missing: apt-get install debian-archive-keyring"
  # apt-get update is incremental: the lists of an earlier build are only refreshed.
  log "the host's apt lists lack $SUITE: apt-get update into $out_dir/.lists-$SUITE"
  mkdir -p "$out_dir/.lists-$SUITE/partial"
  apt_host+=(-o Dir::State::Lists="$out_dir/.lists-$SUITE/")
  apt-get "${apt_host[@]}" -q update >&2
  lists_ok || die "apt-get update gave no $SUITE lists in $out_dir/.lists-$SUITE"
fi

log "resolving ${packages[*]} against $(basename "$status_in")"
apt-get "${apt_host[@]}" -q -s install "${packages[@]}" >"$work/resolve/simulate" ||
  die "apt-get cannot install ${packages[*]} on $status_in: $(cat "$work/resolve/simulate")"
# "Inst name [old] (version suite [arch])"
awk '$1 == "Inst" { v = $3 ~ /^\[/ ? $4 : $3; sub(/^\(/, "", v); print $2, v }' \
  "$work/resolve/simulate" | sort >"$work/resolve/wanted"
[[ -s $work/resolve/wanted ]] || die "nothing to install: ${packages[*]} are all on $status_in already"
log "apt would install $(wc -l <"$work/resolve/wanted") packages; downloading"
apt-get "${apt_host[@]}" -q -y install --download-only "${packages[@]}" >&2

# --- the archive ------------------------------------------------------------
repo=$work/repo
for dist in "${DISTS[@]}"; do
  read -r archive suite <<<"$dist"
  mkdir -p "$repo/$archive/dists/$suite/main/binary-$ARCH"
done
for deb in "$work"/resolve/archives/*.deb; do
  [[ -e $deb ]] || die "apt-get downloaded nothing"
  source=$(dpkg-deb -f "$deb" Source)
  source=${source%% *} # "name (version)" when the versions differ
  source=${source:-$(dpkg-deb -f "$deb" Package)}
  if [[ $source == lib?* ]]; then prefix=${source:0:4}; else prefix=${source:0:1}; fi
  mkdir -p "$repo/debian/pool/$SUITE/main/$prefix/$source"
  mv "$deb" "$repo/debian/pool/$SUITE/main/$prefix/$source/"
done
(cd "$repo/debian" && apt-ftparchive packages "pool/$SUITE/main") >"$repo/debian/dists/$SUITE/main/binary-$ARCH/Packages"
awk '/^Package: / { p = $2 } /^Version: / { print p, $2 }' \
  "$repo/debian/dists/$SUITE/main/binary-$ARCH/Packages" | sort >"$work/manifest"
if ! cmp -s "$work/manifest" "$work/resolve/wanted"; then
  diff "$work/resolve/wanted" "$work/manifest" >&2 || true
  die "the pool does not hold exactly what apt would install (< wanted, > pool)"
fi

for dist in "${DISTS[@]}"; do
  read -r archive suite <<<"$dist"
  d=$repo/$archive/dists/$suite
  touch "$d/main/binary-$ARCH/Packages"
  gzip -9nk "$d/main/binary-$ARCH/Packages"
  (cd "$d" && apt-ftparchive \
    -o APT::FTPArchive::Release::Origin=Debian \
    -o APT::FTPArchive::Release::Label=Debian \
    -o APT::FTPArchive::Release::Suite="$suite" \
    -o APT::FTPArchive::Release::Codename="$suite" \
    -o APT::FTPArchive::Release::Architectures="$ARCH" \
    -o APT::FTPArchive::Release::Components=main \
    -o APT::FTPArchive::Release::ValidTime=$((VALID_DAYS * 86400)) \
    -o APT::FTPArchive::Release::Description="lvs-dr-lab e2e stand-in for $suite" \
    release .) >"$work/Release"
  mv "$work/Release" "$d/Release"
  gpg_k --local-user "$fpr" --digest-algo SHA512 --clearsign -o "$d/InRelease" "$d/Release"
  gpg_k --local-user "$fpr" --digest-algo SHA512 --armor --detach-sign -o "$d/Release.gpg" "$d/Release"
done
gpgconf --homedir "$key_dir" --kill gpg-agent 2>/dev/null || true

# --- verify: apt itself, file:// sources, signatures checked ----------------
# A private apt root: no host configuration, sources, keys or lists.
verify() { # KEY SOURCES_ARCHIVE_DIR TAG
  local v=$work/verify-$3 key=$1 base=$2
  rm -rf "$v"
  mkdir -p "$v/etc/apt/apt.conf.d" "$v/etc/apt/preferences.d" "$v/etc/apt/sources.list.d" \
    "$v/etc/apt/trusted.gpg.d" "$v/var/lib/apt/lists/partial" "$v/var/cache/apt/archives/partial" \
    "$v/var/lib/dpkg" "$v/var/log/apt"
  cp "$status_in" "$v/var/lib/dpkg/status"
  cat >"$v/etc/apt/sources.list" <<EOF
deb [signed-by=$key] file://$base/debian $SUITE main
deb [signed-by=$key] file://$base/debian $SUITE-updates main
deb [signed-by=$key] file://$base/debian-security $SUITE-security main
EOF
  cat >"$v/apt.conf" <<EOF
Dir "$v/";
Dir::State::status "$v/var/lib/dpkg/status";
Dir::Cache::pkgcache "";
Dir::Cache::srcpkgcache "";
APT::Architecture "$ARCH";
APT::Architectures { "$ARCH"; };
APT::Install-Recommends "false";
APT::Sandbox::User "root";
Acquire::AllowInsecureRepositories "false";
Acquire::AllowDowngradeToInsecureRepositories "false";
Acquire::Languages "none";
EOF
  APT_CONFIG=$v/apt.conf apt-get -q update >"$v/update.log" 2>&1 || return 1
  # Warnings (expired, unsigned, conflicting distribution, ...) count as failures.
  if grep -E '^(W|E|Err):' "$v/update.log" >&2; then return 1; fi
  APT_CONFIG=$v/apt.conf apt-get -q -y install --download-only "${packages[@]}" >"$v/install.log" 2>&1 || return 1
  if grep -E '^(W|E):' "$v/install.log" >&2; then return 1; fi
  APT_CONFIG=$v/apt.conf apt-get -q -s install "${packages[@]}" |
    awk '$1 == "Inst" { v = $3 ~ /^\[/ ? $4 : $3; sub(/^\(/, "", v); print $2, v }' | sort >"$v/inst"
  cmp -s "$v/inst" "$work/manifest" || { diff "$work/manifest" "$v/inst" >&2; return 1; }
}
log "verifying with apt-get update + install --download-only (file://, signed-by)"
if ! verify "$work/archive-key.asc" "$repo" ok; then
  cat "$work/verify-ok/update.log" "$work/verify-ok/install.log" >&2 2>/dev/null || true
  die "the repository does not verify (logs above); not publishing it"
fi
# ... and signature checking is really on: another key must be refused.
if verify "$DEBIAN_KEYRING" "$repo" wrong-key 2>/dev/null; then
  die "apt accepted the repository with the wrong key: signature checking is off; not publishing it"
fi

# --- publish ------------------------------------------------------------------
# This suite's directories only: the other release's stay as they are.
mv "$work/archive-key.asc" "$out_dir/archive-key.asc"
for dir in "debian/pool/$SUITE" "debian/dists/$SUITE" "debian/dists/$SUITE-updates" "debian-security/dists/$SUITE-security"; do
  mkdir -p "$(dirname "$out_dir/$dir")"
  if [[ -e $out_dir/$dir ]]; then
    mv "$out_dir/$dir" "$work/old-${dir//\//_}"
  fi
  mv "$repo/$dir" "$out_dir/$dir"
done
# What a build of one release before RELEASE was left at the top.
rm -rf "$out_dir/debian/pool/main" "$out_dir/manifest" "$out_dir/stamp"
mv "$work/manifest" "$MANIFEST"
printf '%s\n' "$stamp_text" >"$STAMP"
log "built $SUITE in $out_dir ($(wc -l <"$MANIFEST") packages, $(du -sh "$out_dir/debian/pool/$SUITE" | cut -f1)) in $((SECONDS - start)) s"
echo "$MANIFEST"
