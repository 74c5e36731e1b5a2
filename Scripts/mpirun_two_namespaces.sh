#!/usr/bin/env bash
# Runs PROGRAM as two MPI ranks on two "hosts" of this machine: two network namespaces joined by
# a veth pair, Open MPI over TCP between them, so that the multi-host path (Open MPI's launcher
# starting a remote daemon, TCP between the ranks) is exercised without a second machine.
# Open MPI reaches the second namespace through an rsh agent that enters it instead of ssh.
#
#   Scripts/mpirun_two_namespaces.sh PROGRAM [ARGS...]
#
# Needs root (or CAP_NET_ADMIN), iproute2's `ip` and Open MPI's `mpirun`. Exits 77, saying why,
# when the namespaces cannot be made here (the tests then skip).
set -euo pipefail

tag="fmf$(( $$ % 100000 ))"             # names of at most 15 characters, unique per run
octet=$(( $$ % 200 + 20 ))
subnet="10.251.$octet.0/24" first="10.251.$octet.1" second="10.251.$octet.2"
work=$(mktemp -d)

cleanup() {
  ip netns delete "${tag}a" 2>/dev/null || true   # deleting a namespace deletes its veth end
  ip netns delete "${tag}b" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

make_hosts() {
  ip netns add "${tag}a" && ip netns add "${tag}b" &&
    ip link add "${tag}va" type veth peer name "${tag}vb" &&
    ip link set "${tag}va" netns "${tag}a" && ip link set "${tag}vb" netns "${tag}b" &&
    ip -n "${tag}a" addr add "$first/24" dev "${tag}va" && ip -n "${tag}b" addr add "$second/24" dev "${tag}vb" &&
    ip -n "${tag}a" link set lo up && ip -n "${tag}b" link set lo up &&
    ip -n "${tag}a" link set "${tag}va" up && ip -n "${tag}b" link set "${tag}vb" up
}
if ! command -v ip >/dev/null || ! make_hosts 2>"$work/why"; then
  echo "mpirun_two_namespaces: cannot make network namespaces here ($(tr '\n' ' ' <"$work/why" | cut -c1-200)); needs root and iproute2" >&2
  exit 77
fi

# Open MPI calls the agent as `agent HOST COMMAND...` to start its daemon on HOST.
cat >"$work/agent" <<AGENT
#!/bin/sh
host=\$1; shift
if [ "\$host" = "$second" ]; then namespace=${tag}b; else namespace=${tag}a; fi
exec ip netns exec "\$namespace" /bin/sh -c "\$*"
AGENT
chmod +x "$work/agent"

# TCP only (no shared memory between the "hosts"), on the veth pair only. No binding: each
# "host" would bind its rank to its first core, the same core of this one machine. A job that cannot
# connect would wait for ever: it is ended after FMF_NETNS_TIMEOUT seconds (default 300).
timeout --kill-after=10 "${FMF_NETNS_TIMEOUT:-300}" ip netns exec "${tag}a" mpirun --host "$first:1,$second:1" -np 2 \
  --bind-to none --mca plm_rsh_agent "$work/agent" --mca btl self,tcp \
  --mca btl_tcp_if_include "$subnet" --mca oob_tcp_if_include "$subnet" "$@"
