#!/usr/bin/env bash
# Runs a cdktf command against the pinned libvirt provider served from the local mirror
# (scripts/provider.sh builds it once and caches it).
#
#   bash scripts/cdktf.sh deploy --auto-approve      (npm run deploy; then `lvs-lab wait`)
#   bash scripts/cdktf.sh deploy --auto-approve --no-wait   (return once terraform is done)
#   bash scripts/cdktf.sh destroy --auto-approve     (npm run destroy)
#   bash scripts/cdktf.sh diff | synth | output ...
#   LAB_CLI=cdktn bash scripts/cdktf.sh deploy ...   (CDK Terrain's CLI and library)
#
# Each lab synthesizes into its own directory, cdktf.out/labs/<lab name> (lab-paths.ts), unless
# the caller passes --output: cdktf deletes other stacks' directories from its output
# directory, and a stack directory is terraform's working directory for one lab. A successful
# destroy removes that directory.
#
# One command at a time per lab: deploy, destroy, diff, plan and synth hold an exclusive lock,
# cdktf.out/labs/<lab name>.lock (beside the synth directory, which destroy removes), until
# cdktf and terraform have ended. A second synth would rewrite the seeds and the stack under a
# running terraform, and two terraforms would race on one state: the second command fails at
# once, naming what holds the lock. Labs of other names do not wait for each other.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
# What cdktf and terraform write for the lab is the user's alone: the state file
# (terraform.<lab>.tfstate) and the stack hold image.source and libvirtUri as written,
# credentials included, and the VRRP password.
umask 077
command=${1:?usage: scripts/cdktf.sh deploy|destroy|diff|synth|output [cdktf options]}
shift
# A deploy ends when the lab works: after terraform, `lvs-lab wait` waits (LAB_WAIT_TIMEOUT_SEC,
# 900 s by default) until every VM's cloud-init is done and every real server answers through
# every VIP, and exits 1 naming each VM whose first boot failed, with its error and the fix.
# --no-wait (ours, not cdktf's: taken out of the arguments) returns once terraform is done.
wait_ready=false
[[ $command == deploy ]] && wait_ready=true
args=()
for arg in "$@"; do
  if [[ $arg == --no-wait ]]; then
    [[ $command == deploy ]] || { echo "cdktf.sh: --no-wait is an option of deploy only" >&2; exit 2; }
    wait_ready=false
  else
    args+=("$arg")
  fi
done
set -- "${args[@]}"
# LAB_CLI=cdktn runs CDK Terrain's CLI (the maintained fork of cdktf, which HashiCorp archived)
# and the app on CDK Terrain's library (scripts/engine-cdktn.js resolves `cdktf` to `cdktn`, as a
# cdktn user's npm alias does); the default is the cdktf CLI and library.
cli=${LAB_CLI:-cdktf}
case $cli in
  cdktf) ;;
  cdktn) export NODE_OPTIONS="--require $root/scripts/engine-cdktn.js${NODE_OPTIONS:+ $NODE_OPTIONS}" ;;
  *) echo "cdktf.sh: LAB_CLI must be cdktf or cdktn, not '$cli'" >&2; exit 2 ;;
esac
# The lab LAB_CONFIG names (an invalid config stops here, with every problem).
lab_outdir=$(node -r ts-node/register/transpile-only scripts/labs.ts outdir)
lab=$(basename "$lab_outdir")
case $command in
  deploy | destroy | diff | plan | synth)
    lock="$lab_outdir.lock"
    mkdir -p "$(dirname "$lock")"
    # Opened without truncating: the holder's line stays readable while it holds the lock. cdktf
    # and terraform inherit the descriptor, so the lock lasts as long as any of them runs.
    exec 9<>"$lock"
    if ! flock --nonblock 9; then
      holder=$(head -n 1 "$lock" 2>/dev/null || true)
      echo "cdktf.sh: lab $lab is busy: ${holder:-another command} holds $lock; wait for it to end, then run $command again" >&2
      exit 75
    fi
    printf 'pid %s: scripts/cdktf.sh %s (since %s)\n' "$$" "$command" "$(date '+%Y-%m-%d %H:%M:%S')" >"$lock"
    ;;
esac
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
  outdir=$lab_outdir
  mkdir -p "$outdir"
  extra+=(--output "$outdir")
fi
# Ctrl-C on a deploy or destroy: terraform must get exactly one SIGINT and stop gracefully (it
# finishes the objects it is creating and saves them in its state). A terminal's Ctrl-C reaches
# the whole foreground process group, and cdktf aborts terraform on its own SIGINT as well: two
# interrupts make terraform exit at once, and the VMs it was creating exist in libvirt but not in
# the state, so the next deploy fails with "domain ... already exists" and destroy leaves them.
# So cdktf runs in a session of its own, out of the terminal's reach, and an INT or TERM to this
# script is passed on as one SIGINT to terraform (or, before terraform runs, to cdktf).
run_cdktf() {
  # A background job of a script starts with SIGINT ignored: give cdktf and terraform it back.
  setsid env --default-signal=INT,QUIT npx "$cli" "$@" &
  local child=$! sid rc=0 engine
  engine=$(basename "${TERRAFORM_BINARY_NAME:-terraform}")
  interrupt() {
    sid=$(ps -o sid= -p "$child" 2>/dev/null | tr -d ' ')
    local pids=''
    if [[ -n $sid ]]; then
      pids=$(pgrep -s "$sid" -x "$engine" || true)
    fi
    if [[ -n $pids ]]; then
      echo "cdktf.sh: interrupted: asking $engine to stop gracefully (it finishes what it is creating and saves its state)" >&2
      # shellcheck disable=SC2086 # one word per pid
      kill -INT $pids 2>/dev/null || true
    else
      echo "cdktf.sh: interrupted before $engine started: stopping cdktf" >&2
      kill -INT "$child" 2>/dev/null || true
    fi
  }
  trap interrupt INT TERM
  # `wait` returns early when a trapped signal arrives: wait again until cdktf has ended.
  while :; do
    wait "$child" && rc=0 || rc=$?
    kill -0 "$child" 2>/dev/null || break
  done
  trap - INT TERM
  return "$rc"
}

if [[ $command == destroy && $output_given == false ]]; then
  run_cdktf "$command" "${extra[@]}" "$@"
  # The lab is gone: so is its synth directory, with the seeds in it (they hold the VRRP password).
  rm -rf "$outdir"
  exit 0
fi
run_cdktf "$command" "${extra[@]}" "$@"
if [[ $wait_ready == true ]]; then
  # terraform is done with the lab: let another command have it while the VMs boot.
  exec 9>&-
  exec node -r ts-node/register/transpile-only scripts/lvs-lab.ts wait
fi
