import Foundation
import LatentFlow
import Pipeline
import TensorCore
import XCTest

/// `train-flow --zero-init` reaches the network the trainer starts from, and a run started that
/// way resumes.
final class TrainFlowZeroInitialisationTests: XCTestCase {
    var fixture: FlowStageFixture { FlowStageFixture.shared }
    var scratch: URL!

    override func setUpWithError() throws {
        scratch = fixture.root.appendingPathComponent("zero-init-\(UUID().uuidString)")
        _ = try fixture.latents()
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: scratch)
    }

    func parameters(of model: URL) throws -> [String: [Float]] {
        let network = try FlowModel.load(from: model).network
        return Dictionary(uniqueKeysWithValues: network.namedParameters().map { ($0.name, $0.variable.value.values) })
    }

    /// After one step the residual branches' last convolutions are still exactly zero (their
    /// gradient is zero while the output convolution is), the output convolution has moved; a
    /// run without the option has neither.
    func testOneStepMovesOnlyTheOutputConvolution() throws {
        var options = fixture.trainOptions(output: scratch.appendingPathComponent("zero"), steps: 1)
        options.training.zeroInitialisedBranchOutputs = true
        let zeroed = try parameters(of: try TrainFlowStage.run(options, write: { _ in }).model)
        options.training.zeroInitialisedBranchOutputs = nil
        options.output = scratch.appendingPathComponent("default").path
        let standard = try parameters(of: try TrainFlowStage.run(options, write: { _ in }).model)

        for name in ["mid.0.c2.weight", "downs.0.c2.weight", "ups.0.c2.bias", "mid.1.o.weight"] {
            XCTAssertEqual(zeroed[name]?.allSatisfy { $0 == 0 }, true, name)
            XCTAssertEqual(standard[name]?.allSatisfy { $0 == 0 }, false, name)
        }
        XCTAssertEqual(zeroed["out.2.weight"]?.allSatisfy { $0 == 0 }, false, "the output convolution did not move")
    }

    func testAZeroInitialisedRunResumes() throws {
        var options = fixture.trainOptions(output: scratch, steps: 3)
        options.training.zeroInitialisedBranchOutputs = true
        try TrainFlowStage.run(options, write: { _ in })
        options.steps = 5
        options.resume = true
        var lines = ""
        let resumed = try TrainFlowStage.run(options, write: { lines += $0 })
        XCTAssertTrue(lines.contains("resumed from"), lines)
        XCTAssertEqual(resumed.steps, 5)
    }
}
