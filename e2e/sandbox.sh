#!/usr/bin/env bash
# A throw-away libvirt host for the e2e lab, confined to network namespaces.
#
#   bash e2e/sandbox.sh up [RUNID]           # prints `export LVSLAB_...` lines
#   bash e2e/sandbox.sh exec RUNID CMD...    # CMD inside the lab namespace
#   bash e2e/sandbox.sh client RUNID CMD...  # CMD inside the client namespace
#   bash e2e/sandbox.sh wan RUNID CMD...     # CMD inside the internet stand-in
#   bash e2e/sandbox.sh attach-client RUNID BRIDGE CLIENT_IP/PREFIX [CLIENT]
#   bash e2e/sandbox.sh add-client RUNID CLIENT  # another client host, lvslab-RUNID-CLIENT
#   bash e2e/sandbox.sh restart-libvirtd RUNID  # libvirtd stopped and started again, domains running
#   bash e2e/sandbox.sh down RUNID
#
# or, from another bash script:
#
#   source e2e/sandbox.sh
#   trap sandbox_down EXIT
#   trap 'exit 130' INT TERM   # so that Ctrl-C also ends in sandbox_down
#   sandbox_up            # sets LVSLAB_NS, LVSLAB_URI, LVSLAB_POOL_DIR, ...
#   sandbox_exec virsh list --all
#   attach_client lvslab0 10.77.0.200/24
#   add_client c2 && attach_client br-lab 10.77.0.201/24 c2   # a second client (a second lab)
#
# What `up` makes for run RUNID:
#   - network namespace lvslab-RUNID (lo up): libvirtd, virtlogd, every qemu,
#     bridge and tap of the lab live here, so no lab address is ever reachable
#     from or routed to the host's interfaces;
#   - network namespace lvslab-RUNID-c, the client host, joined to the lab
#     namespace by a veth pair: eth0 in the client, cli0 in the lab namespace
#     (attach_client puts cli0 on the lab bridge once libvirt has made it);
#   - on request (add-client RUNID NAME), more clients: namespace lvslab-RUNID-NAME,
#     eth0 there, cli-NAME in the lab namespace (a second lab's client);
#   - network namespace lvslab-RUNID-w, the stand-in for the internet, joined
#     to the lab namespace by a veth pair: eth0 (203.0.113.1/24, LVSLAB_WAN_IP)
#     in it, wan0 (203.0.113.2/24) in the lab namespace, whose default route
#     and resolver (/etc/netns/lvslab-RUNID/resolv.conf) point there. The
#     harness runs its stand-in servers there (e2e/internet.ts); the internet
#     namespace routes nothing further, so nothing reaches the host's interfaces;
#   - run dir e2e/.work/run-RUNID/ (or $LVSLAB_WORK_DIR/run-RUNID/) holding the
#     daemons' config (a copy of /etc/libvirt), runtime, state, cache and log
#     dirs, which are bind-mounted over /etc/libvirt, /run/libvirt,
#     /var/lib/libvirt, /var/cache/libvirt and /var/log/libvirt in the daemons'
#     private mount namespace (the one `ip netns exec` gives), so nothing clashes
#     with a libvirtd on the host; plus pool/ for the lab's volumes.
# The daemons' socket is reachable by its real path:
#   LVSLAB_URI=qemu+unix:///system?socket=<run dir>/libvirt/run/libvirt-sock
# which both virsh and terraform-provider-libvirt (0.8.x: the `socket` query
# parameter of the unix transport) accept.
#
# `down` kills every process in the three namespaces (libvirtd, virtlogd, qemu,
# dnsmasq, stand-in servers, clients), deletes them (and so the bridges, taps and veths)
# and the volumes in pool/; mounts die with the daemons' mount namespace. It is
# safe to call twice and on a half-made sandbox. Console and daemon logs stay
# in the run dir unless LVSLAB_KEEP_LOGS=0.
#
# Needs root, iproute2, util-linux and libvirt-daemon-system, qemu-system-x86
# (libvirtd, virtlogd, virsh); no systemd. Guests must use domain type "qemu"
# (TCG) where the host has no working KVM.

LVSLAB_E2E_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

# sandbox_vars RUNID: set the LVSLAB_* names of a run (no side effects).
sandbox_vars() {
  local runid=${1:-}
  if [[ ! $runid =~ ^[a-z0-9][a-z0-9-]{0,15}$ ]]; then
    echo "sandbox: run id must match [a-z0-9][a-z0-9-]{0,15}, got '$runid'" >&2
    return 1
  fi
  LVSLAB_RUNID=$runid
  LVSLAB_NS=lvslab-$runid
  LVSLAB_CLIENT_NS=lvslab-$runid-c
  LVSLAB_WAN_NS=lvslab-$runid-w
  LVSLAB_WAN_IP=203.0.113.1
  LVSLAB_RUN_DIR=$(readlink -m "${LVSLAB_WORK_DIR:-$LVSLAB_E2E_DIR/.work}/run-$runid")
  LVSLAB_SOCK=$LVSLAB_RUN_DIR/libvirt/run/libvirt-sock
  LVSLAB_URI="qemu+unix:///system?socket=$LVSLAB_SOCK"
  LVSLAB_POOL_DIR=$LVSLAB_RUN_DIR/pool
  export LVSLAB_RUNID LVSLAB_NS LVSLAB_CLIENT_NS LVSLAB_WAN_NS LVSLAB_WAN_IP LVSLAB_RUN_DIR \
    LVSLAB_SOCK LVSLAB_URI LVSLAB_POOL_DIR
}

_sandbox_ns_exists() {
  ip netns list | awk '{print $1}' | grep -qxF "$1"
}

# sandbox_up [RUNID]: make both namespaces and start the daemons.
sandbox_up() {
  local runid=${1:-${LVSLAB_RUNID:-}}
  if [[ -z $runid ]]; then
    runid=$(od -An -N3 -tx1 /dev/urandom | tr -d ' \n')
  fi
  sandbox_vars "$runid" || return
  _sandbox_up
}

_sandbox_up() (
  set -euo pipefail
  local d=$LVSLAB_RUN_DIR/libvirt
  # sun_path is 108 bytes; keep room for the NUL.
  if ((${#LVSLAB_SOCK} > 100)); then
    echo "sandbox: socket path too long (${#LVSLAB_SOCK} > 100): $LVSLAB_SOCK;" \
      "set LVSLAB_WORK_DIR to a shorter dir" >&2
    exit 1
  fi
  if _sandbox_ns_exists "$LVSLAB_NS"; then
    echo "sandbox: namespace $LVSLAB_NS exists already; run down first" >&2
    exit 1
  fi

  mkdir -p "$d"/{run,lib,cache,log} "$LVSLAB_POOL_DIR" "$LVSLAB_RUN_DIR/logs"
  rm -rf "${d:?}/etc"
  cp -a /etc/libvirt "$d/etc"
  # No host network definitions: the stock "default" NAT network would autostart.
  rm -rf "$d/etc/qemu/networks" "$d/etc/qemu/"*.xml "$d/etc/storage"
  cat >>"$d/etc/libvirtd.conf" <<'EOF'

# Added by e2e/sandbox.sh: root-only socket in the run dir, logs in the run dir.
unix_sock_group = "root"
unix_sock_ro_perms = "0770"
unix_sock_rw_perms = "0770"
auth_unix_ro = "none"
auth_unix_rw = "none"
log_outputs = "3:file:/var/log/libvirt/libvirtd.log"
EOF
  cat >>"$d/etc/virtlogd.conf" <<'EOF'

# Added by e2e/sandbox.sh.
log_outputs = "3:file:/var/log/libvirt/virtlogd.log"
EOF
  cat >>"$d/etc/qemu.conf" <<'EOF'

# Added by e2e/sandbox.sh.
# qemu runs as root on files in the run dir: no chown, no xattrs to remember
# owners, no AppArmor/SELinux labelling.
user = "root"
group = "root"
dynamic_ownership = 0
remember_owner = 0
security_driver = "none"
# No systemd and no cgroup mounts under `ip netns exec` (it remounts /sys).
cgroup_controllers = [ ]
# Keep qemu in the daemons' mount namespace, where the bind mounts are.
namespaces = [ ]
EOF

  # The lab namespace's resolver is the internet stand-in: `ip netns exec` binds
  # /etc/netns/<ns>/resolv.conf over /etc/resolv.conf for libvirtd (and so its
  # dnsmasq of nat networks) and for terraform (the provider's image download).
  mkdir -p "/etc/netns/$LVSLAB_NS"
  printf 'nameserver %s\n' "$LVSLAB_WAN_IP" >"/etc/netns/$LVSLAB_NS/resolv.conf"
  ip netns add "$LVSLAB_NS"
  # No IPv6 on the bridge, taps and cli0: with only link-local IPv6 addresses
  # glibc's AI_ADDRCONFIG narrows getaddrinfo("127.0.0.1") to IPv6 and qemu's
  # spice (the provider's default graphics) fails to listen.
  ip netns exec "$LVSLAB_NS" sysctl -q -w net.ipv6.conf.all.disable_ipv6=1 \
    net.ipv6.conf.default.disable_ipv6=1
  ip -n "$LVSLAB_NS" link set lo up
  ip netns add "$LVSLAB_CLIENT_NS"
  ip -n "$LVSLAB_CLIENT_NS" link set lo up
  ip -n "$LVSLAB_NS" link add cli0 type veth peer name eth0 netns "$LVSLAB_CLIENT_NS"
  # The internet stand-in: routes back to the lab subnets are added by the
  # harness (route_from_wan) for bridged labs; nat labs leave masqueraded.
  ip netns add "$LVSLAB_WAN_NS"
  ip -n "$LVSLAB_WAN_NS" link set lo up
  ip -n "$LVSLAB_NS" link add wan0 type veth peer name eth0 netns "$LVSLAB_WAN_NS"
  ip -n "$LVSLAB_WAN_NS" addr add "$LVSLAB_WAN_IP/24" dev eth0
  ip -n "$LVSLAB_WAN_NS" link set eth0 up
  ip -n "$LVSLAB_NS" addr add 203.0.113.2/24 dev wan0
  ip -n "$LVSLAB_NS" link set wan0 up
  ip -n "$LVSLAB_NS" route add default via "$LVSLAB_WAN_IP"
  ip netns exec "$LVSLAB_NS" sysctl -q -w net.ipv4.ip_forward=1

  # libvirtd needs the bind targets; /run/libvirt is absent on hosts without a
  # libvirtd of their own. An empty dir in /run is all this leaves on the host.
  mkdir -p /run/libvirt /var/lib/libvirt /var/cache/libvirt /var/log/libvirt /etc/libvirt
  # `ip netns exec` gives the shell a private (slave) mount namespace; the
  # daemons keep it alive, and it vanishes when they die.
  # shellcheck disable=SC2016 # expanded by the inner shell
  ip netns exec "$LVSLAB_NS" /bin/sh -euc '
    d=$1
    mount --bind "$d/etc" /etc/libvirt
    mount --bind "$d/run" /run/libvirt
    mount --bind "$d/lib" /var/lib/libvirt
    mount --bind "$d/cache" /var/cache/libvirt
    mount --bind "$d/log" /var/log/libvirt
    virtlogd -d -f /etc/libvirt/virtlogd.conf -p "$d/virtlogd.pid"
    libvirtd -d -f /etc/libvirt/libvirtd.conf -p "$d/libvirtd.pid"
  ' sh "$d"

  local i
  for ((i = 0; i < 60; i++)); do
    if virsh -q -c "$LVSLAB_URI" version >/dev/null 2>&1; then
      break
    fi
    sleep 0.5
  done
  if ! virsh -q -c "$LVSLAB_URI" version >/dev/null; then
    echo "sandbox: libvirtd did not answer on $LVSLAB_SOCK; see $d/log/libvirtd.log" >&2
    exit 1
  fi
  {
    for v in LVSLAB_RUNID LVSLAB_NS LVSLAB_CLIENT_NS LVSLAB_WAN_NS LVSLAB_WAN_IP LVSLAB_RUN_DIR \
      LVSLAB_SOCK LVSLAB_URI LVSLAB_POOL_DIR; do
      printf 'export %s=%q\n' "$v" "${!v}"
    done
  } >"$LVSLAB_RUN_DIR/sandbox.env"
  echo "sandbox: $LVSLAB_NS up, libvirt at $LVSLAB_URI" >&2
)

# sandbox_exec CMD...: run CMD in the lab namespace, LIBVIRT_DEFAULT_URI set.
sandbox_exec() {
  ip netns exec "$LVSLAB_NS" env LIBVIRT_DEFAULT_URI="$LVSLAB_URI" "$@"
}

# sandbox_wan_exec CMD...: run CMD in the internet stand-in namespace.
sandbox_wan_exec() {
  ip netns exec "$LVSLAB_WAN_NS" "$@"
}

# sandbox_client_exec CMD...: run CMD in the client namespace.
sandbox_client_exec() {
  ip netns exec "$LVSLAB_CLIENT_NS" "$@"
}

# attach_client BRIDGE CLIENT_IP/PREFIX [CLIENT]: put the client's veth on the lab bridge
# (made by libvirt in the lab namespace) and address the client end. CLIENT names a client of
# add_client; without it, the sandbox's own client.
attach_client() {
  local bridge=${1:?attach_client BRIDGE CLIENT_IP/PREFIX [CLIENT]} cidr=${2:?attach_client BRIDGE CLIENT_IP/PREFIX [CLIENT]}
  local ns=$LVSLAB_CLIENT_NS veth=cli0
  if [[ -n ${3:-} ]]; then
    ns=$LVSLAB_NS-$3 veth=cli-$3
  fi
  ip -n "$LVSLAB_NS" link set "$veth" master "$bridge" up || return
  ip -n "$ns" addr replace "$cidr" dev eth0 || return
  ip -n "$ns" link set eth0 up
}

# add_client NAME: another client host (for a second lab beside the first): namespace
# lvslab-RUNID-NAME with eth0, joined by a veth to cli-NAME in the lab namespace.
add_client() {
  local name=${1:?add_client NAME}
  if [[ ! $name =~ ^[a-z][a-z0-9]{0,9}$ || $name == c || $name == w ]]; then
    echo "sandbox: client name must match [a-z][a-z0-9]{0,9} and not be c or w, got '$name'" >&2
    return 1
  fi
  ip netns add "$LVSLAB_NS-$name" || return
  # Recorded, so that `down` deletes exactly the run's namespaces.
  echo "$LVSLAB_NS-$name" >>"$LVSLAB_RUN_DIR/clients"
  ip -n "$LVSLAB_NS-$name" link set lo up
  ip -n "$LVSLAB_NS" link add "cli-$name" type veth peer name eth0 netns "$LVSLAB_NS-$name"
}

# restart_libvirtd: stop the run's libvirtd (SIGTERM, as a service manager does) and start it
# again with the same config, mounts and namespace, while the domains keep running (an
# operator's `systemctl restart libvirtd`). Waits until it answers again.
restart_libvirtd() (
  set -euo pipefail
  local d=$LVSLAB_RUN_DIR/libvirt old i
  old=$(cat "$d/libvirtd.pid")
  kill -TERM "$old"
  for ((i = 0; i < 150; i++)); do
    kill -0 "$old" 2>/dev/null || break
    sleep 0.2
  done
  if kill -0 "$old" 2>/dev/null; then
    echo "sandbox: libvirtd $old did not stop within 30 s" >&2
    exit 1
  fi
  # The bind mounts live in the mount namespace virtlogd keeps alive (see _sandbox_up).
  nsenter -t "$(cat "$d/virtlogd.pid")" -m -n \
    libvirtd -d -f /etc/libvirt/libvirtd.conf -p "$d/libvirtd.pid"
  for ((i = 0; i < 120; i++)); do
    virsh -q -c "$LVSLAB_URI" version >/dev/null 2>&1 && exit 0
    sleep 0.25
  done
  echo "sandbox: libvirtd did not answer again on $LVSLAB_SOCK; see $d/log/libvirtd.log" >&2
  exit 1
)

# sandbox_down [RUNID]: kill everything of the run and delete its namespaces.
sandbox_down() {
  local runid=${1:-${LVSLAB_RUNID:-}}
  if [[ -z $runid ]]; then
    return 0
  fi
  sandbox_vars "$runid" || return
  _sandbox_down
  return 0
}

# Best effort whatever the caller's shell options (this runs from EXIT traps).
_sandbox_down() (
  set +e +o pipefail
  local ns pids i
  local extra=()
  if [[ -f $LVSLAB_RUN_DIR/clients ]]; then
    mapfile -t extra <"$LVSLAB_RUN_DIR/clients"
  fi
  for ns in "$LVSLAB_NS" "$LVSLAB_CLIENT_NS" "$LVSLAB_WAN_NS" "${extra[@]}"; do
    if ! _sandbox_ns_exists "$ns"; then
      continue
    fi
    # Every process of the run lives in one of the run's namespaces.
    pids=$(ip netns pids "$ns" 2>/dev/null | tr '\n' ' ')
    if [[ -n ${pids// /} ]]; then
      # shellcheck disable=SC2086 # one word per pid
      kill -TERM $pids 2>/dev/null
      for ((i = 0; i < 50; i++)); do
        pids=$(ip netns pids "$ns" 2>/dev/null | tr '\n' ' ')
        [[ -z ${pids// /} ]] && break
        sleep 0.2
      done
      if [[ -n ${pids// /} ]]; then
        # shellcheck disable=SC2086
        kill -KILL $pids 2>/dev/null
        sleep 0.5
      fi
    fi
    ip netns del "$ns" 2>/dev/null || true
  done
  rm -rf "/etc/netns/${LVSLAB_NS:?}"
  rmdir /etc/netns 2>/dev/null
  # Mounts made by callers under the run dir (none by the sandbox itself).
  if [[ -d $LVSLAB_RUN_DIR ]]; then
    findmnt -rn -o TARGET | grep "^$LVSLAB_RUN_DIR" | sort -r |
      while read -r m; do umount -l "$m" 2>/dev/null || true; done
    rm -rf "${LVSLAB_POOL_DIR:?}" "$LVSLAB_RUN_DIR/libvirt/lib" \
      "$LVSLAB_RUN_DIR/libvirt/run" "$LVSLAB_RUN_DIR/libvirt/cache"
    if [[ ${LVSLAB_KEEP_LOGS:-1} == 0 ]]; then
      rm -rf "${LVSLAB_RUN_DIR:?}"
    fi
  fi
)

_sandbox_main() {
  local cmd=${1:-} runid=${2:-}
  case $cmd in
    up)
      sandbox_up "$runid" && cat "$LVSLAB_RUN_DIR/sandbox.env"
      ;;
    down)
      sandbox_down "${runid:?usage: sandbox.sh down RUNID}"
      ;;
    exec | client | wan)
      sandbox_vars "${runid:?usage: sandbox.sh $cmd RUNID CMD...}" || return
      shift 2
      case $cmd in
        exec) sandbox_exec "$@" ;;
        client) sandbox_client_exec "$@" ;;
        wan) sandbox_wan_exec "$@" ;;
      esac
      ;;
    attach-client)
      sandbox_vars "${runid:?usage: sandbox.sh attach-client RUNID BRIDGE CIDR [CLIENT]}" || return
      attach_client "${3:-}" "${4:-}" "${5:-}"
      ;;
    add-client)
      sandbox_vars "${runid:?usage: sandbox.sh add-client RUNID CLIENT}" || return
      add_client "${3:-}"
      ;;
    restart-libvirtd)
      sandbox_vars "${runid:?usage: sandbox.sh restart-libvirtd RUNID}" || return
      restart_libvirtd
      ;;
    *)
      echo "usage: sandbox.sh up [RUNID] | down RUNID | exec RUNID CMD... |" \
        "client RUNID CMD... | wan RUNID CMD... | attach-client RUNID BRIDGE CLIENT_IP/PREFIX [CLIENT] |" \
        "add-client RUNID CLIENT |" \
        "restart-libvirtd RUNID" >&2
      return 2
      ;;
  esac
}

if [[ ${BASH_SOURCE[0]} == "$0" ]]; then
  _sandbox_main "$@"
fi
