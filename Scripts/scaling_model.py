#!/usr/bin/env python3
"""Predicted data-parallel throughput of flow training on N nodes (docs/distributed.md).

A synchronous step on N nodes takes the compute of the node's share of the global batch plus the
part of the gradient allreduce that backward does not hide:

    t(N) = (t_fixed + (B / N) / r_node) * (1 + overhead if N > 1) + exposed * t_allreduce(N)
    t_allreduce(N) = 2 (N - 1) / N * S / bandwidth + 2 (N - 1) * latency      (ring allreduce)

r_node is a node's images/s on the network (measured per core here, times its cores and a
core-scaling efficiency), t_fixed the per-step cost that does not shrink with the batch, S the
gradient bytes, `exposed` the fraction of the allreduce not overlapped with backward (measured).
Efficiency = throughput(N) / (N * throughput(1)). Every input is a command-line argument, so the
assumptions are visible; the defaults are this project's measurements (docs/distributed.md).
"""
import argparse


def step_seconds(nodes, batch, rate_per_node, fixed, gradient_bytes, bandwidth, latency, exposed, overhead):
    compute = (fixed + (batch / nodes) / rate_per_node) * (1 + (overhead if nodes > 1 else 0))
    if nodes == 1:
        return compute
    allreduce = 2 * (nodes - 1) / nodes * gradient_bytes / bandwidth + 2 * (nodes - 1) * latency
    return compute + exposed * allreduce


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rate-per-core", type=float, required=True, help="images/s of one core (measured)")
    parser.add_argument("--fixed", type=float, default=0.0, help="seconds per step that do not shrink with the batch")
    parser.add_argument("--gradient-bytes", type=float, required=True, help="gradient bytes reduced per step")
    parser.add_argument("--exposed", type=float, default=1.0, help="fraction of the allreduce not hidden by backward")
    parser.add_argument("--overhead", type=float, default=0.0, help="a rank's extra compute fraction in a job")
    parser.add_argument("--core-efficiency", type=float, default=0.8,
                        help="a node's rate over cores x rate-per-core (assumed for nodes wider than measured)")
    parser.add_argument("--cores", type=int, nargs="+", default=[2, 16])
    parser.add_argument("--nodes", type=int, nargs="+", default=[1, 2, 4, 8, 16])
    parser.add_argument("--per-node-batch", type=int, nargs="+", default=[32],
                        help="images per node per step (the global batch grows with N)")
    parser.add_argument("--network", nargs="+", default=["10GbE:1.1e9:50e-6", "100Gb:11e9:5e-6"],
                        help="name:bytes-per-second:latency-seconds")
    args = parser.parse_args()

    print(f"| network | cores/node | batch/node | " + " | ".join(f"{n} nodes img/s (eff.)" for n in args.nodes) + " |")
    print("|---|---:|---:|" + "---:|" * len(args.nodes))
    for network in args.network:
        name, bandwidth, latency = network.split(":")
        for cores in args.cores:
            efficiency_cores = 1.0 if cores <= 2 else args.core_efficiency
            rate = args.rate_per_core * cores * efficiency_cores
            for per_node in args.per_node_batch:
                cells = []
                base = None
                for nodes in args.nodes:
                    batch = per_node * nodes
                    seconds = step_seconds(nodes, batch, rate, args.fixed, args.gradient_bytes,
                                           float(bandwidth), float(latency), args.exposed, args.overhead)
                    throughput = batch / seconds
                    base = base or throughput / nodes
                    cells.append(f"{throughput:,.0f} ({throughput / (nodes * base):.0%})")
                print(f"| {name} | {cores} | {per_node} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
