#!/usr/bin/env bash
# Runs a cdktf command against the pinned libvirt provider served from the local mirror
# (scripts/provider.sh builds it once and caches it).
#
#   bash scripts/cdktf.sh deploy --auto-approve      (npm run deploy)
#   bash scripts/cdktf.sh destroy --auto-approve     (npm run destroy)
#   bash scripts/cdktf.sh diff | synth | output ...
#
# Each lab synthesizes into its own directory, cdktf.out/labs/<lab name> (lab-paths.ts), unless
# the caller passes --output: cdktf deletes other stacks' directories from its output
# directory, and a stack directory is terraform's working directory for one lab. A successful
# destroy removes that directory.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
command=${1:?usage: scripts/cdktf.sh deploy|destroy|diff|synth|output [cdktf options]}
shift
bash scripts/provider.sh build
eval "$(bash scripts/provider.sh env)"
extra=()
case $command in
  # cdktf otherwise runs `terraform providers lock`, which asks the public registry for
  # checksums even when the provider comes from the mirror.
  deploy | destroy | diff | plan) extra+=(--skip-provider-lock) ;;
esac
output_given=false
for arg in "$@"; do
  case $arg in --output | --output=* | -o | -o=*) output_given=true ;; esac
done
if [[ $output_given == false ]]; then
  outdir=$(node -r ts-node/register/transpile-only scripts/labs.ts outdir)
  mkdir -p "$outdir"
  extra+=(--output "$outdir")
fi
if [[ $command == destroy && $output_given == false ]]; then
  npx cdktf "$command" "${extra[@]}" "$@"
  # The lab is gone: so is its synth directory, with the seeds in it (they hold the VRRP password).
  rm -rf "$outdir"
  exit 0
fi
exec npx cdktf "$command" "${extra[@]}" "$@"
