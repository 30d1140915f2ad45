#!/usr/bin/env bash
# Fetches etcd 3.5 from Debian's trixie suite into .etcd35/root without
# installing it: apt gets a sources list, state and cache of its own under
# .etcd35/apt, `apt-get download` fetches the .debs and `dpkg -x` unpacks them.
# The system's packages (etcd 3.4 from bookworm) are untouched. Idempotent: a
# finished fetch leaves .etcd35/root/.done and the script then exits at once.
# Tests find the result through test/helpers/etcd35.ts.
set -euo pipefail
cd "$(dirname "$0")/.."
top="$PWD/.etcd35"
root="$top/root"
[ -f "$root/.done" ] && exit 0

apt_dir="$top/apt"
mkdir -p "$apt_dir/etc/sources.list.d" "$apt_dir/etc/apt.conf.d" "$apt_dir/etc/preferences.d" "$apt_dir/state/lists/partial" \
  "$apt_dir/cache/archives/partial" "$top/debs"

# The mirror the machine already uses (its first deb822 URIs line), else Debian's.
mirror=$(sed -n 's/^URIs:[[:space:]]*\([^[:space:]]*\).*/\1/p' /etc/apt/sources.list.d/debian.sources 2>/dev/null | grep -v security | head -n1 || true)
mirror=${mirror:-http://deb.debian.org/debian}
keyring=/usr/share/keyrings/debian-archive-keyring.gpg
echo "deb [signed-by=$keyring] $mirror trixie main" >"$apt_dir/etc/sources.list"

apt_opts=(
  -o "Dir::Etc::SourceList=$apt_dir/etc/sources.list"
  -o "Dir::Etc::SourceParts=$apt_dir/etc/sources.list.d"
  -o "Dir::Etc::Parts=$apt_dir/etc/apt.conf.d"
  -o "Dir::Etc::PreferencesParts=$apt_dir/etc/preferences.d"
  -o "Dir::State=$apt_dir/state"
  -o "Dir::State::status=$apt_dir/state/status"
  -o "Dir::Cache=$apt_dir/cache"
  -o "APT::Architecture=$(dpkg --print-architecture)"
  -o "Debug::NoLocking=1"
  -o "APT::Sandbox::User=root"
)
touch "$apt_dir/state/status"
apt-get "${apt_opts[@]}" -qq update

# trixie's names: etcd-server, etcd-client, and golang-etcd-server-dev for the
# Go source (with raft's testdata); trixie has no separate etcdutl package.
pkgs=(etcd-server etcd-client golang-etcd-server-dev)
rm -f "$top/debs"/*.deb
(cd "$top/debs" && apt-get "${apt_opts[@]}" -qq download "${pkgs[@]}")

rm -rf "$root.tmp" && mkdir -p "$root.tmp"
for deb in "$top/debs"/*.deb; do dpkg -x "$deb" "$root.tmp"; done
rm -rf "$root" && mv "$root.tmp" "$root"
for p in "${pkgs[@]}"; do
  dpkg-deb -f "$top/debs/${p}_"*.deb Package Version | paste -sd' '
done >"$root/.done"
cat "$root/.done"
