import FileFormats
import TensorCore
import VQVAE
import XCTest

final class ResidualVectorQuantizerTests: XCTestCase {
    private func config(levels: Int = 3, codes: Int = 16, dropout: Double = 0, window: Int = 0) -> QuantizerConfig {
        var c = QuantizerConfig(levels: levels, codebookSize: codes, dimension: 4)
        c.dropoutProbability = dropout
        c.deadCodeWindow = window
        c.kmeansIterations = 5
        return c
    }

    private func latents(_ n: Int = 4, side: Int = 4, seed: UInt64 = 5) -> Tensor {
        var generator = SeededGenerator(seed: seed)
        return Initialization.normal(shape: [n, 4, side, side], generator: &generator)
    }

    private func initialized(_ config: QuantizerConfig) -> ResidualVectorQuantizer {
        let quantizer = ResidualVectorQuantizer(config)
        var generator = SeededGenerator(seed: 9)
        quantizer.initialize(from: latents(8, seed: 1), generator: &generator)
        return quantizer
    }

    func testCodesDecodeToTheQuantizedLatents() {
        let quantizer = initialized(config())
        let z = latents()
        for levels in [1, 2, 3] {
            let (quantized, codes) = quantizer.quantize(z, levels: levels)
            XCTAssertEqual(quantized.shape, z.shape)
            XCTAssertEqual(codes.count, 4 * levels * 16)
            XCTAssertEqual(try quantizer.dequantize(codes: codes, count: 4, height: 4, width: 4), quantized)
        }
        // A prefix of the full codes decodes like quantizing with fewer levels.
        let full = quantizer.quantize(z).codes
        XCTAssertEqual(
            try quantizer.dequantize(codes: full, count: 4, height: 4, width: 4, levels: 2),
            quantizer.quantize(z, levels: 2).quantized)
    }

    /// Codes come from files (the latent cache, generated codes): one outside the codebook is an
    /// error, not a read past the codebook (release builds drop preconditions and bounds checks).
    func testCodesThatDoNotFitAreErrors() {
        let quantizer = initialized(config())
        var codes = quantizer.quantize(latents()).codes
        XCTAssertNoThrow(try quantizer.dequantize(codes: codes, count: 4, height: 4, width: 4))
        codes[17] = 16
        XCTAssertThrowsError(try quantizer.dequantize(codes: codes, count: 4, height: 4, width: 4)) {
            XCTAssertEqual("\($0)", "code 16 is outside the codebook's 0..<16")
        }
        codes[17] = -1
        XCTAssertThrowsError(try quantizer.dequantize(codes: codes, count: 4, height: 4, width: 4))
        XCTAssertThrowsError(try quantizer.dequantize(codes: Array(codes.prefix(10)), count: 4, height: 4, width: 4))
    }

    func testEveryLevelReducesTheError() {
        let quantizer = initialized(config())
        let z = latents(8, seed: 1)
        var errors: [Double] = []
        for levels in 1...3 {
            errors.append(quantizer.quantize(z, levels: levels).quantized.zipMap(z, -).squaredNorm())
        }
        XCTAssertLessThan(errors[1], errors[0])
        XCTAssertLessThan(errors[2], errors[1])
    }

    func testLevelCodesAreNearestCodesOfTheResidual() {
        let quantizer = initialized(config())
        let z = latents()
        let codes = quantizer.quantize(z, levels: 2).codes
        let rows = LatentVectors.rows(of: z)
        let level0 = quantizer.levels[0].search.nearest(rows)
        // Codes are [N, L, H, W]: level 0 of image 1 starts at (1·2 + 0)·16.
        XCTAssertEqual(Array(codes[32..<48]), Array(level0[16..<32]))
        let firstLevel = LatentVectors.rows(of: quantizer.quantize(z, levels: 1).quantized)
        let residual = rows.zipMap(firstLevel, -)
        let level1 = quantizer.levels[1].search.nearest(residual)
        XCTAssertEqual(Array(codes[48..<64]), Array(level1[16..<32]))
    }

    func testStraightThroughGradientIsTheIdentity() {
        let quantizer = initialized(config())
        let z = Variable(parameter: latents())
        var generator = SeededGenerator(seed: 2)
        let output = quantizer.trainingStep(z, generator: &generator)
        XCTAssertNotEqual(output.quantized.value, z.value)
        var seedGenerator = SeededGenerator(seed: 3)
        let seed = Initialization.normal(shape: z.shape, generator: &seedGenerator)
        output.quantized.backward(seed: seed)
        XCTAssertEqual(z.grad, seed)
    }

    func testCommitmentLossAndItsGradient() {
        var c = config()
        c.commitmentWeight = 0.5
        let quantizer = initialized(c)
        let z = Variable(parameter: latents())
        var generator = SeededGenerator(seed: 2)
        let before = quantizer.quantize(z.value).quantized
        let output = quantizer.trainingStep(z, generator: &generator)
        let n = Double(z.value.count)
        XCTAssertEqual(
            Double(output.commitmentLoss.value.scalarValue), 0.5 * z.value.zipMap(before, -).squaredNorm() / n,
            accuracy: 1e-6)
        output.commitmentLoss.backward()
        // d/dz β·mean((z − q)²) = 2β(z − q)/n, with q held constant.
        let expected = z.value.zipMap(before) { Float(2 * 0.5 / n) * ($0 - $1) }
        XCTAssertLessThan(z.grad!.maxAbsoluteDifference(expected), 1e-6)
    }

    func testQuantizerDropoutDrawsEveryLevelCountAndDecodesThatPrefix() {
        let quantizer = initialized(config(levels: 4, dropout: 1))
        var generator = SeededGenerator(seed: 4)
        var seen = Set<Int>()
        for step in 0..<40 {
            let z = latents(seed: UInt64(100 + step))
            let expected = (1...4).map { quantizer.quantize(z, levels: $0).quantized }
            let output = quantizer.trainingStep(Variable(z), generator: &generator)
            seen.insert(output.levelsUsed)
            XCTAssertEqual(output.quantized.value, expected[output.levelsUsed - 1], "step \(step)")
            XCTAssertEqual(output.codes.count, 4 * 4 * 16, "codes of all levels are returned")
        }
        XCTAssertEqual(seen, [1, 2, 3, 4])

        let noDropout = initialized(config(levels: 4, dropout: 0))
        for _ in 0..<10 { XCTAssertEqual(noDropout.drawLevels(generator: &generator), 4) }
    }

    func testFirstTrainingStepInitializesTheCodebooksByKMeans() {
        let quantizer = ResidualVectorQuantizer(config(codes: 8))
        XCTAssertFalse(quantizer.isInitialized)
        var generator = SeededGenerator(seed: 1)
        let z = latents(8)
        _ = quantizer.trainingStep(Variable(z), generator: &generator)
        XCTAssertTrue(quantizer.isInitialized)
        // Eight k-means codes sit among the data: most of them are used.
        let codes = quantizer.quantize(z, levels: 1).codes
        XCTAssertGreaterThanOrEqual(Set(codes).count, 6)
    }

    func testDeadCodesAreRestartedAfterTheWindow() throws {
        let quantizer = initialized(config(levels: 1, codes: 16, window: 2))
        // Move code 7 far away from all data: no vector will choose it.
        var buffers = quantizer.buffers()
        var codebook = buffers["rvq.levels.0.codebook"]!, sums = buffers["rvq.levels.0.ema_sums"]!
        var counts = buffers["rvq.levels.0.ema_counts"]!
        for j in 0..<4 {
            codebook[flat: 7 * 4 + j] = 1000
            sums[flat: 7 * 4 + j] = 1000
        }
        counts[flat: 7] = 1
        buffers["rvq.levels.0.codebook"] = codebook
        buffers["rvq.levels.0.ema_sums"] = sums
        buffers["rvq.levels.0.ema_counts"] = counts
        try quantizer.loadBuffers(buffers, source: "test")

        var generator = SeededGenerator(seed: 6)
        let z = latents(4)
        let first = quantizer.trainingStep(Variable(z), generator: &generator)
        XCTAssertEqual(first.restartedCodes, [0])
        XCTAssertEqual(quantizer.levels[0].idleSteps[flat: 7], 1)
        let second = quantizer.trainingStep(Variable(z), generator: &generator)
        XCTAssertGreaterThanOrEqual(second.restartedCodes[0], 1)
        let code = Array(quantizer.levels[0].codebook.values[28..<32])
        let rows = LatentVectors.rows(of: z).values
        let candidates = stride(from: 0, to: rows.count, by: 4).map { Array(rows[$0..<($0 + 4)]) }
        XCTAssertTrue(candidates.contains(code), "code 7 is \(code), not a current residual")
        XCTAssertEqual(quantizer.levels[0].idleSteps[flat: 7], 0)
    }

    func testBuffersRoundTripAndBadBuffersAreRejected() throws {
        let quantizer = initialized(config())
        let buffers = quantizer.buffers()
        XCTAssertEqual(Set(buffers.keys), Set(quantizer.bufferNames()))
        XCTAssertTrue(buffers.keys.contains("rvq.levels.0.codebook"))
        XCTAssertTrue(buffers.keys.contains("rvq.levels.2.ema_sums"))
        let copy = ResidualVectorQuantizer(config())
        try copy.loadBuffers(buffers, source: "memory")
        XCTAssertTrue(copy.isInitialized)
        XCTAssertEqual(copy.levels, quantizer.levels)

        var missing = buffers
        missing["rvq.levels.1.ema_counts"] = nil
        XCTAssertThrowsError(try copy.loadBuffers(missing, source: "model.safetensors")) { error in
            XCTAssertTrue("\(error)".contains("model.safetensors"), "\(error)")
            XCTAssertTrue("\(error)".contains("rvq.levels.1.ema_counts"), "\(error)")
        }
        var misshapen = buffers
        misshapen["rvq.levels.0.codebook"] = Tensor(zeros: [3, 4])
        XCTAssertThrowsError(try copy.loadBuffers(misshapen, source: "m")) { error in
            XCTAssertTrue("\(error)".contains("[3, 4]"), "\(error)")
        }
    }

    func testCodeUsageCountsAndPerplexity() {
        var usage = CodeUsage(levels: 2, codebookSize: 4)
        // Two images, two levels, two positions: level 0 uses codes 0,1,2,3; level 1 only code 3.
        usage.add(codes: [0, 1, 3, 3, 2, 3, 3, 3], count: 2, levels: 2)
        XCTAssertEqual(usage.counts, [[1, 1, 1, 1], [0, 0, 0, 4]])
        XCTAssertEqual(usage.usedFraction(level: 0), 1)
        XCTAssertEqual(usage.perplexity(level: 0), 4, accuracy: 1e-12)
        XCTAssertEqual(usage.perplexity(level: 1), 1, accuracy: 1e-12)
        XCTAssertEqual(usage.entropyBits(level: 0), 2, accuracy: 1e-12)
    }
}
