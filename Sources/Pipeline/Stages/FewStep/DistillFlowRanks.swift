import DataParallel
import Foundation
import LatentFlow
import TensorCore

/// How the ranks of a data-parallel `distill-flow` come to hold rank 0's teacher pairs and notes
/// (docs/distributed.md). Rank 0 decides, as it does alone, whether the cache holds the pairs:
///
/// - it does: rank 0 reads the file and broadcasts the pairs, so the other ranks need no copy
///   of the cache and cannot read a half-written one;
/// - it does not: the ranks sample the teacher together, each its share of the batches
///   (`FlowModel.makeReflowPairs(_:group:)`), and all end with every pair; rank 0 alone writes
///   the cache.
///
/// Then rank 0 broadcasts the trainer's notes (the teacher's and the pairs' digests, which only
/// it computes), and every rank builds the same student.
enum DistillFlowRanks {
    /// Rank 0's word on where the pairs come from, with the provenance it decided on.
    struct PairsPlan: Codable {
        var sampleTogether: Bool
        var provenance: ReflowPairProvenance
        var batch: Int
    }

    /// Rank 0: the pairs it read from the cache, for every rank.
    static func sendCachedPairs(_ pairs: ReflowPairs, provenance: ReflowPairProvenance, to group: DataParallelGroup)
        throws
    {
        try sendPlan(PairsPlan(sampleTogether: false, provenance: provenance, batch: 0), to: group)
        _ = try group.rank0Decision(pairs.noise.shape.map(Int64.init))
        _ = try group.rank0Values(pairs.noise.values)
        _ = try group.rank0Values(pairs.endpoints.values)
        _ = try group.rank0Decision(pairs.classes.map(Int64.init))
    }

    /// Rank 0: tells the other ranks to sample the teacher with it; then all of them sample.
    static func announceSampling(_ provenance: ReflowPairProvenance, batch: Int, to group: DataParallelGroup) throws {
        try sendPlan(PairsPlan(sampleTogether: true, provenance: provenance, batch: batch), to: group)
    }

    /// Ranks 1…N−1: rank 0's pairs, received or sampled together as rank 0 says.
    static func receivePairs(teacher: FlowModel, group: DataParallelGroup) throws -> ReflowPairs {
        let plan = try JSONDecoder().decode(PairsPlan.self, from: Data(try group.rank0Text("").utf8))
        if plan.sampleTogether {
            return try teacher.makeReflowPairs(plan.provenance, batch: plan.batch, group: group)
        }
        let shape = try group.rank0Decision([Int64](repeating: 0, count: 1 + teacher.sampleShape.count)).map { Int($0) }
        let count = shape.reduce(1, *)
        let noise = try group.rank0Values([Float](repeating: 0, count: count))
        let endpoints = try group.rank0Values([Float](repeating: 0, count: count))
        let classes = try group.rank0Decision([Int64](repeating: 0, count: shape[0])).map { Int($0) }
        return try ReflowPairs(
            noise: Tensor(shape: shape, values: noise), endpoints: Tensor(shape: shape, values: endpoints),
            classes: classes)
    }

    /// Rank 0's notes (`sending` on rank 0, ignored elsewhere) on every rank.
    static func shareNotes(_ sending: [String: String], group: DataParallelGroup) throws -> [String: String] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let text = try group.rank0Text(String(decoding: try encoder.encode(sending), as: UTF8.self))
        return try JSONDecoder().decode([String: String].self, from: Data(text.utf8))
    }

    private static func sendPlan(_ plan: PairsPlan, to group: DataParallelGroup) throws {
        _ = try group.rank0Text(String(decoding: try JSONEncoder().encode(plan), as: UTF8.self))
    }
}
