#!/usr/bin/env bash
# Builds OpenTofu from the Go module proxy into /usr/local/bin/tofu, for machines without
# terraform. cdktf then drives it with TERRAFORM_BINARY_NAME=tofu (scripts/provider.sh env sets it).
set -euo pipefail
readonly TOFU_VERSION=${TOFU_VERSION:-1.10.10}
json=$(go mod download -json "github.com/opentofu/opentofu@v${TOFU_VERSION}")
src=$(printf '%s' "$json" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
[[ -d $src ]] || { echo "build-tofu: no module directory: $json" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp -r "$src/." "$work/"
chmod -R u+w "$work"
(cd "$work" && GOTOOLCHAIN=local CGO_ENABLED=0 go build -trimpath -o /usr/local/bin/tofu ./cmd/tofu)
tofu version
