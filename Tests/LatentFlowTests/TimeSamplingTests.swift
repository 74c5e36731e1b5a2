import Foundation
import LatentFlow
import TensorCore
import XCTest

final class TimeSamplingTests: XCTestCase {
    private func endFraction(_ sampling: TimeSampling, count: Int = 200_000) -> Double {
        var generator = SeededGenerator(seed: 7)
        let times = sampling.sample(count, generator: &generator)
        return Double(times.filter { $0 <= 0.05 || $0 >= 0.95 }.count) / Double(count)
    }

    /// Logit-normal(0, 1) leaves the ends almost untrained (2 · Φ(−logit 0.95) = 0.32 %); a uniform
    /// fraction p adds p · 10 % there.
    func testAUniformFractionTrainsTheEndsOfTheInterval() {
        let plain = endFraction(.logitNormal)
        XCTAssertEqual(plain, 0.0032, accuracy: 0.0008)
        let mixed = endFraction(TimeSampling(.logitNormal(mean: 0, std: 1), uniformFraction: 0.2))
        XCTAssertEqual(mixed, 0.8 * 0.0032 + 0.2 * 0.1, accuracy: 0.002)
        XCTAssertEqual(
            endFraction(TimeSampling(.logitNormal(mean: 0, std: 1), uniformFraction: 1)), 0.1, accuracy: 0.003)
    }

    /// Without the option, the random stream is the one runs were made with before it existed,
    /// and the encoded settings (part of every stage key) have no new key.
    func testWithoutAUniformFractionNothingChanges() throws {
        var a = SeededGenerator(seed: 3), b = SeededGenerator(seed: 3)
        let times = TimeSampling.logitNormal.sample(64, generator: &a)
        var expected: [Float] = []
        for _ in 0..<64 {
            let u = Double(b.normal())
            expected.append(Float(1 / (1 + Foundation.exp(-u))))
        }
        XCTAssertEqual(times, expected)
        let json = String(decoding: try JSONEncoder().encode(TimeSampling.logitNormal), as: UTF8.self)
        XCTAssertFalse(json.contains("uniformFraction"), json)
        let old = #"{"distribution":{"logitNormal":{"mean":0,"std":1}},"shift":1}"#
        XCTAssertEqual(try JSONDecoder().decode(TimeSampling.self, from: Data(old.utf8)), .logitNormal)
        let mixed = TimeSampling(.uniform, shift: 2, uniformFraction: 0.25)
        XCTAssertEqual(try JSONDecoder().decode(TimeSampling.self, from: JSONEncoder().encode(mixed)), mixed)
    }

    func testAFractionOutsideTheUnitIntervalIsRefused() {
        var config = FlowTrainingConfig()
        config.timeSampling.uniformFraction = 1.5
        XCTAssertThrowsError(try config.validate()) {
            XCTAssertTrue("\($0)".contains("uniform time fraction"), "\($0)")
        }
    }

    /// Few-step distillation checks its time sampling as flow training does (it checked only the shift).
    func testAFewStepConfigRefusesTheSameTimeSettings() {
        var config = FewStepTrainingConfig()
        config.timeSampling.uniformFraction = -0.5
        XCTAssertThrowsError(try config.validate()) {
            XCTAssertTrue("\($0)".contains("uniform time fraction"), "\($0)")
        }
        config.timeSampling = TimeSampling(.logitNormal(mean: 0, std: 0))
        XCTAssertThrowsError(try config.validate()) {
            XCTAssertTrue("\($0)".contains("logit-normal std"), "\($0)")
        }
    }
}
