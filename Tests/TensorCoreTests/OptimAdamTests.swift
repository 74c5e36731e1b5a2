import TensorCore
import XCTest

/// Adam and AdamW against PyTorch's reference values and a worked example.
final class OptimAdamTests: XCTestCase {
    /// Three AdamW steps from `p0` with gradients `g1…g3` must land on PyTorch's `p3`.
    func testAdamWMatchesPyTorchGolden() throws {
        let golden = try GoldenCase.load("adamw")
        let parameter = Variable(parameter: try golden.tensor("p0"))
        // Hyper-parameters as Double, like PyTorch's Python floats.
        func setting(_ key: String) throws -> Double {
            _ = try golden.floatSetting(key)  // fails with a clear message if absent
            return Double(golden.metadata[key]!)!
        }
        let optimizer = AdamW(
            parameters: [("p", parameter)], learningRate: try setting("lr"),
            beta1: try setting("beta1"), beta2: try setting("beta2"),
            epsilon: try setting("eps"), weightDecay: try setting("weight_decay"))
        for name in ["g1", "g2", "g3"] {
            parameter.grad = try golden.tensor(name)
            optimizer.step()
            optimizer.zeroGradients()
            XCTAssertNil(parameter.grad)
        }
        assertClose(parameter.value, try golden.tensor("p3"), "adamw p3", tolerance: 1e-5)
        XCTAssertEqual(optimizer.state(of: "p")?.step, 3)
        XCTAssertEqual(optimizer.algorithmName, "AdamW")
    }

    /// Adam with L2 weight decay, lr 0.1, wd 0.1, default betas, worked by hand:
    /// step 1: g' = g + wd·p = (0.6, −0.1, −2.95); bias correction makes m̂ = g', v̂ = g'², so
    ///         p₁ = p₀ − lr·g'/(|g'| + ε) ≈ (0.9, −1.9, 0.6).
    /// step 2: g' = g₂ + wd·p₁ = (−0.11, 0.11, 1.06); m₂ = 0.9·m₁ + 0.1·g' = (0.043, 0.002, −0.1595);
    ///         v₂ = 0.999·v₁ + 0.001·g'² = (3.7174e-4, 2.209e-5, 9.8173975e-3);
    ///         p₂ = p₁ − lr/(1 − 0.9²) · m₂ / (√v₂ / √(1 − 0.999²) + ε).
    func testAdamWithL2WeightDecayByHand() {
        let parameter = Variable(parameter: Tensor(shape: [3], values: [1, -2, 0.5]))
        let optimizer = Adam(parameters: [("w", parameter)], learningRate: 0.1, weightDecay: 0.1)
        XCTAssertEqual(optimizer.algorithmName, "Adam")

        parameter.grad = Tensor(shape: [3], values: [0.5, 0.1, -3])
        optimizer.step()
        assertClose(parameter.value, Tensor(shape: [3], values: [0.9, -1.9, 0.6]), "Adam step 1", tolerance: 1e-6)
        let state = optimizer.state(of: "w")!
        assertClose(state.exp_avg, Tensor(shape: [3], values: [0.06, -0.01, -0.295]), "m1", tolerance: 1e-6)
        assertClose(state.exp_avg_sq, Tensor(shape: [3], values: [3.6e-4, 1e-5, 8.7025e-3]), "v1", tolerance: 1e-6)

        parameter.grad = Tensor(shape: [3], values: [-0.2, 0.3, 1.0])
        optimizer.step()
        assertClose(
            parameter.value, Tensor(shape: [3], values: [0.8475190630, -1.9100134863, 0.6378804640]),
            "Adam step 2", tolerance: 1e-6)
        assertClose(
            optimizer.state(of: "w")!.exp_avg, Tensor(shape: [3], values: [0.043, 0.002, -0.1595]),
            "m2", tolerance: 1e-6)
        XCTAssertEqual(optimizer.state(of: "w")?.step, 2)
    }

    /// The same gradients under Adam's L2 term and AdamW's decoupled decay must give different
    /// results (and without weight decay the same), so the two modes are really distinct.
    func testDecoupledDecayDiffersFromL2() {
        func run(_ configuration: AdamConfiguration) -> Tensor {
            let parameter = Variable(parameter: randomTensor([257], seed: 1))
            let optimizer = Adam(parameters: [("x", parameter)], configuration: configuration)
            for seed in 2..<5 {
                parameter.grad = randomTensor([257], seed: UInt64(seed))
                optimizer.step()
            }
            return parameter.value
        }
        let l2 = run(AdamConfiguration(learningRate: 0.01, weightDecay: 0.5))
        let decoupled = run(.adamW(learningRate: 0.01, weightDecay: 0.5))
        XCTAssertGreaterThan(l2.maxAbsoluteDifference(decoupled), 1e-4)
        XCTAssertEqual(run(AdamConfiguration(learningRate: 0.01)), run(.adamW(learningRate: 0.01, weightDecay: 0)))
    }

    func testAdamWForcesDecoupledDecay() {
        let optimizer = AdamW(
            parameters: [Variable(parameter: Tensor(zeros: [2]))],
            configuration: AdamConfiguration(weightDecay: 0.1))
        XCTAssertTrue(optimizer.configuration.decoupledWeightDecay)
        XCTAssertEqual(optimizer.parameters.map(\.name), ["0"])
        XCTAssertEqual(optimizer.hyperParameters["weight_decay"], 0.1)
    }

    /// A parameter without a gradient keeps its value and gets no state; its step count stays behind.
    func testParametersWithoutGradientAreSkipped() {
        let a = Variable(parameter: Tensor(shape: [2], values: [1, 2]))
        let b = Variable(parameter: Tensor(shape: [2], values: [3, 4]))
        let optimizer = AdamW(parameters: [("a", a), ("b", b)], learningRate: 0.1)
        a.grad = Tensor(shape: [2], values: [1, 1])
        optimizer.step()
        XCTAssertEqual(b.value, Tensor(shape: [2], values: [3, 4]))
        XCTAssertNil(optimizer.state(of: "b"))
        XCTAssertNotEqual(a.value, Tensor(shape: [2], values: [1, 2]))
        b.grad = Tensor(shape: [2], values: [1, 1])
        optimizer.step()
        XCTAssertEqual(optimizer.state(of: "a")?.step, 2)
        XCTAssertEqual(optimizer.state(of: "b")?.step, 1)
        XCTAssertEqual(optimizer.exportState().parameters.keys.sorted(), ["a", "b"])
    }

    /// A large tensor (split across threads) is updated exactly like the same elements in small pieces.
    func testParallelUpdateMatchesSmallTensors() {
        let count = 200_003
        let big = Variable(parameter: randomTensor([count], seed: 7))
        let bigOptimizer = AdamW(parameters: [("big", big)], learningRate: 0.01, weightDecay: 0.1)
        let gradient = randomTensor([count], seed: 8)
        let pieces = stride(from: 0, to: count, by: 1000).map { start -> (Variable, Tensor) in
            let range = start..<min(count, start + 1000)
            return (
                Variable(parameter: Tensor(shape: [range.count], values: Array(big.value.values[range]))),
                Tensor(shape: [range.count], values: Array(gradient.values[range]))
            )
        }
        let smallOptimizer = AdamW(
            parameters: pieces.enumerated().map { ("\($0)", $1.0) }, learningRate: 0.01,
            weightDecay: 0.1)
        for _ in 0..<2 {
            big.grad = gradient
            bigOptimizer.step()
            for (variable, g) in pieces { variable.grad = g }
            smallOptimizer.step()
        }
        XCTAssertEqual(big.value.values, pieces.flatMap { $0.0.value.values })
    }

    func testStateExportImportContinuesIdentically() throws {
        func makeParameters() -> [NamedParameter] {
            [
                ("layer.weight", Variable(parameter: randomTensor([4, 3], seed: 1))),
                ("layer.bias", Variable(parameter: randomTensor([4], seed: 2))),
            ]
        }
        func applyGradients(_ parameters: [NamedParameter], seed: UInt64) {
            for (index, p) in parameters.enumerated() {
                p.variable.grad = randomTensor(p.variable.value.shape, seed: seed * 10 + UInt64(index))
            }
        }
        let original = makeParameters()
        let optimizer = AdamW(parameters: original, learningRate: 0.05)
        applyGradients(original, seed: 1)
        optimizer.step()

        let copy = makeParameters()
        for (target, source) in zip(copy, original) { target.variable.value = source.variable.value }
        let resumed = AdamW(parameters: copy, learningRate: 0.05)
        try resumed.importState(optimizer.exportState(), source: "test")
        XCTAssertEqual(resumed.exportState(), optimizer.exportState())

        applyGradients(original, seed: 2)
        applyGradients(copy, seed: 2)
        optimizer.step()
        resumed.step()
        for (a, b) in zip(original, copy) { XCTAssertEqual(a.variable.value, b.variable.value, a.name) }
    }

    func testImportRejectsUnknownNamesMissingSlotsAndWrongShapes() {
        let optimizer = Adam(parameters: [("w", Variable(parameter: Tensor(zeros: [2, 2])))])
        let good = OptimizerParameterState(
            step: 1,
            slots: [
                "exp_avg": Tensor(zeros: [2, 2]),
                "exp_avg_sq": Tensor(zeros: [2, 2]),
            ])
        var wrongShape = good
        wrongShape.slots["exp_avg_sq"] = Tensor(zeros: [4])
        var missingSlot = good
        missingSlot.slots["exp_avg"] = nil
        let cases: [(OptimizerState, String)] = [
            (OptimizerState(parameters: ["v": good]), "unknown parameter 'v'"),
            (OptimizerState(parameters: ["w": wrongShape]), "'w.exp_avg_sq' has shape [4]"),
            (OptimizerState(parameters: ["w": missingSlot]), "has slots [\"exp_avg_sq\"]"),
        ]
        for (state, expected) in cases {
            XCTAssertThrowsError(try optimizer.importState(state, source: "state.safetensors")) { error in
                let text = "\(error)"
                XCTAssertTrue(text.hasPrefix("state.safetensors: "), text)
                XCTAssertTrue(text.contains(expected), text)
            }
        }
        XCTAssertNoThrow(try optimizer.importState(OptimizerState(parameters: ["w": good]), source: "ok"))
        XCTAssertEqual(optimizer.state(of: "w")?.step, 1)
    }

    func testLearningRateIsSettableAndUsed() {
        func finalValue(rate: Double) -> Float {
            let parameter = Variable(parameter: Tensor(shape: [1], values: [1]))
            let optimizer = Adam(parameters: [("p", parameter)], learningRate: 1)
            optimizer.learningRate = rate
            parameter.grad = Tensor(shape: [1], values: [1])
            optimizer.step()
            return parameter.value[flat: 0]
        }
        // First Adam step moves by lr·g/(|g| + ε) ≈ lr.
        XCTAssertEqual(finalValue(rate: 0.25), 0.75, accuracy: 1e-6)
        XCTAssertEqual(finalValue(rate: 0), 1)
    }
}
