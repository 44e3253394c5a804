#!/usr/bin/env bash
# Runs a cdktf command against the pinned libvirt provider served from the local mirror
# (scripts/provider.sh builds it once and caches it).
#
#   bash scripts/cdktf.sh deploy --auto-approve      (npm run deploy)
#   bash scripts/cdktf.sh destroy --auto-approve     (npm run destroy)
#   bash scripts/cdktf.sh diff | synth | output ...
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
exec npx cdktf "$command" "${extra[@]}" "$@"
