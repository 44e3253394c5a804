#!/usr/bin/env bash
# Runs the unit suite (npm test) on another supported Node.js major, installed beside the
# machine's own (scripts/install-node.sh --prefix-only; nothing on PATH changes):
#   bash scripts/test-node.sh 22 [jest args...]
# CI runs the suite and the e2e on Node 24; this is how Node 22 is checked.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
major=${1:?usage: test-node.sh 22|24 [jest args...]}
shift
dir=$(NODE_MAJOR=$major bash scripts/install-node.sh --prefix-only | tail -n 1)
eval "$(bash scripts/provider.sh env)"
echo "test-node: $("$dir/bin/node" --version)" >&2
PATH=$dir/bin:$PATH npx jest --runInBand "$@"
