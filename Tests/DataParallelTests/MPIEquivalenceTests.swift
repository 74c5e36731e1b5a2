import Foundation
import TensorCore
import XCTest

/// Real MPI processes: `mpirun -np 2 data-parallel-check` against one process of the same
/// program, and a rank killed mid-run (`MPILaunch`: skipped where Open MPI is not installed).
final class MPIEquivalenceTests: XCTestCase {
    /// As ThreadedEquivalenceTests: float summation order only (key biases: see WeightDifference).
    static let tolerance = ThreadedEquivalenceTests.tolerance
    /// lr·steps for the 8 steps of the longest run here.
    static let keyBiasTolerance: Float = 1e-3 * 8

    private var folder: URL!

    override func setUpWithError() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("mpi-check-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        addTeardownBlock { [folder] in try? FileManager.default.removeItem(at: folder!) }
    }

    private func mpirun() throws -> URL { try MPILaunch.mpirun() }

    /// The check program, built next to this test bundle.
    private var checkProgram: URL { MPILaunch.builtProgram("DataParallelCheck") }

    private func launch(_ executable: URL, _ arguments: [String]) throws -> (status: Int32, output: String) {
        try MPILaunch.launch(executable, arguments)
    }

    private func runRanks(_ ranks: Int, _ arguments: [String]) throws -> (status: Int32, output: String) {
        try MPILaunch.runRanks(ranks, checkProgram, arguments)
    }

    private func weights(_ url: URL) throws -> [(name: String, value: [Float])] {
        try MPILaunch.checkpointWeights(url)
    }

    func testTwoRanksTrainAsOneProcess() throws {
        _ = try mpirun()
        let alone = folder.appendingPathComponent("alone.safetensors"),
            pair = folder.appendingPathComponent("pair.safetensors")
        let single = try launch(checkProgram, ["--output", alone.path, "--steps", "4"])
        XCTAssertEqual(single.status, 0, single.output)
        let two = try runRanks(2, ["--output", pair.path, "--steps", "4"])
        XCTAssertEqual(two.status, 0, two.output)
        let difference = WeightDifference(try weights(alone), try weights(pair))
        XCTAssertLessThan(difference.weights, Self.tolerance)
        XCTAssertLessThan(difference.keyBiases, Self.keyBiasTolerance)
    }

    /// The two ranks on two "hosts": network namespaces joined by a veth pair, Open MPI's daemon
    /// started in the second by its launcher, the ranks talking TCP (`Scripts/mpirun_two_namespaces.sh`).
    /// Skipped, saying why, where namespaces cannot be made (not root, no CAP_NET_ADMIN).
    func testTwoRanksOnTwoNetworkNamespacesTrainAsOneProcess() throws {
        _ = try mpirun()
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Scripts/mpirun_two_namespaces.sh")
        let alone = folder.appendingPathComponent("alone.safetensors"),
            pair = folder.appendingPathComponent("pair.safetensors")
        let single = try launch(checkProgram, ["--output", alone.path, "--steps", "4"])
        XCTAssertEqual(single.status, 0, single.output)
        let two = try launch(
            URL(fileURLWithPath: "/bin/bash"), [script.path, checkProgram.path, "--output", pair.path, "--steps", "4"])
        if two.status == 77 { throw XCTSkip(two.output) }
        XCTAssertEqual(two.status, 0, two.output)
        let difference = WeightDifference(try weights(alone), try weights(pair))
        XCTAssertLessThan(difference.weights, Self.tolerance)
        XCTAssertLessThan(difference.keyBiases, Self.keyBiasTolerance)
    }

    func testAKilledRankFailsTheJobAndTheRunResumesFromTheLastCheckpoint() throws {
        _ = try mpirun()
        let url = folder.appendingPathComponent("checkpoint.safetensors")
        let crashed = try runRanks(
            2,
            [
                "--output", url.path, "--steps", "8", "--checkpoint-every", "2",
                "--die-rank", "1", "--die-after", "5",
            ])
        XCTAssertNotEqual(crashed.status, 0, "the job must fail when a rank dies\n\(crashed.output)")
        let left = try TrainingCheckpoint.load(from: url)
        XCTAssertTrue([4, 6].contains(left.step), "the last checkpoint before the crash is intact (step \(left.step))")

        let resumed = try runRanks(2, ["--output", url.path, "--steps", "8", "--resume"])
        XCTAssertEqual(resumed.status, 0, resumed.output)
        let reference = folder.appendingPathComponent("reference.safetensors")
        let uninterrupted = try launch(checkProgram, ["--output", reference.path, "--steps", "8"])
        XCTAssertEqual(uninterrupted.status, 0, uninterrupted.output)
        XCTAssertEqual(try TrainingCheckpoint.load(from: url).step, 8)
        let difference = WeightDifference(try weights(reference), try weights(url))
        XCTAssertLessThan(difference.weights, Self.tolerance)
        XCTAssertLessThan(difference.keyBiases, Self.keyBiasTolerance)
    }
}
