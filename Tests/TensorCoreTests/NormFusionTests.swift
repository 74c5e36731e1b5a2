import TensorCore
import XCTest

/// The fused normalisation ops give the same values and gradients as the ops they replace.
final class NormFusionTests: XCTestCase {
    func testGroupNormSiLUEqualsComposition() {
        for (shape, groups) in [([3, 8, 5, 7], 4), ([2, 3, 4, 4], 1), ([2, 4, 1, 3], 4)] {
            let inputs = [
                randomTensor(shape, seed: 1, scale: 2), randomTensor([shape[1]], seed: 2),
                randomTensor([shape[1]], seed: 3),
            ]
            assertSameValuesAndGradients(inputs) {
                groupNormSiLU($0[0], groups: groups, weight: $0[1], bias: $0[2])
            } reference: {
                groupNorm($0[0], groups: groups, weight: $0[1], bias: $0[2]).silu()
            }
        }
    }

    /// Large enough that the blocks are split over threads.
    func testParallelBlocksEqualComposition() {
        let shape = [8, 16, 32, 32]
        let inputs = [
            randomTensor(shape, seed: 21), randomTensor([16], seed: 22), randomTensor([16], seed: 23),
            randomTensor([8, 16], seed: 24), randomTensor([8, 16], seed: 25),
        ]
        assertSameValuesAndGradients(inputs) {
            groupNormScaleShift($0[0], groups: 8, weight: $0[1], bias: $0[2], scale: $0[3], shift: $0[4], silu: true)
        } reference: {
            scaleShift(groupNorm($0[0], groups: 8, weight: $0[1], bias: $0[2]), scale: $0[3], shift: $0[4]).silu()
        }
    }

    func testGroupNormScaleShiftSiLUEqualsComposition() {
        let shape = [3, 8, 5, 7]
        let inputs = [
            randomTensor(shape, seed: 4, scale: 2), randomTensor([8], seed: 5), randomTensor([8], seed: 6),
            randomTensor([3, 8], seed: 7, scale: 0.5), randomTensor([3, 8], seed: 8),
        ]
        assertSameValuesAndGradients(inputs) {
            groupNormScaleShift($0[0], groups: 4, weight: $0[1], bias: $0[2], scale: $0[3], shift: $0[4], silu: true)
        } reference: {
            scaleShift(groupNorm($0[0], groups: 4, weight: $0[1], bias: $0[2]), scale: $0[3], shift: $0[4]).silu()
        }
        assertSameValuesAndGradients(Array(inputs.prefix(1) + inputs.suffix(2))) {
            groupNormScaleShift($0[0], groups: 2, weight: nil, bias: nil, scale: $0[1], shift: $0[2], silu: false)
        } reference: {
            scaleShift(groupNorm($0[0], groups: 2, weight: nil, bias: nil), scale: $0[1], shift: $0[2])
        }
    }

    /// The [N, 2C] modulation form equals separate scale and shift taken from its two halves.
    func testModulationHalvesEqualSeparateScaleAndShift() {
        let x = randomTensor([2, 4, 3, 3], seed: 9), m = randomTensor([2, 8], seed: 10, scale: 0.5)
        let gamma = randomTensor([4], seed: 11), beta = randomTensor([4], seed: 12)
        var scale = [Float](), shift = [Float]()
        for n in 0..<2 {
            for c in 0..<4 {
                scale.append(m[flat: n * 8 + c])
                shift.append(m[flat: n * 8 + 4 + c])
            }
        }
        let mv = Variable(parameter: m)
        let sv = Variable(parameter: Tensor(shape: [2, 4], values: scale))
        let tv = Variable(parameter: Tensor(shape: [2, 4], values: shift))
        let a = groupNormScaleShift(
            Variable(x), groups: 2, weight: Variable(gamma), bias: Variable(beta),
            modulation: mv, silu: true)
        let b = groupNormScaleShift(
            Variable(x), groups: 2, weight: Variable(gamma), bias: Variable(beta),
            scale: sv, shift: tv, silu: true)
        XCTAssertLessThan(a.value.maxAbsoluteDifference(b.value), 1e-6)
        let seed = randomTensor(a.shape, seed: 13)
        a.backward(seed: seed)
        b.backward(seed: seed)
        for n in 0..<2 {
            for c in 0..<4 {
                XCTAssertEqual(mv.grad![flat: n * 8 + c], sv.grad![flat: n * 4 + c], accuracy: 1e-5)
                XCTAssertEqual(mv.grad![flat: n * 8 + 4 + c], tv.grad![flat: n * 4 + c], accuracy: 1e-5)
            }
        }
    }

    func testModuleFusedScaleShiftSiLU() {
        let norm = GroupNorm(groups: 2, channels: 4)
        let x = Variable(randomTensor([2, 4, 3, 3], seed: 14))
        let s = Variable(randomTensor([2, 4, 1, 1], seed: 15)), t = Variable(randomTensor([2, 4, 1, 1], seed: 16))
        let fused = norm.fusedScaleShiftSiLU(x, scale: s, shift: t).value
        let plain = scaleShift(norm(x), scale: s, shift: t).silu().value
        XCTAssertLessThan(fused.maxAbsoluteDifference(plain), 1e-5)
    }
}

/// Runs `function` and `reference` on the same inputs (all as parameters), back-propagates the
/// same random seed through both, and asserts equal outputs and input gradients.
func assertSameValuesAndGradients(
    _ inputs: [Tensor], tolerance: Float = 1e-5,
    file: StaticString = #filePath, line: UInt = #line,
    _ function: ([Variable]) -> Variable,
    reference: ([Variable]) -> Variable
) {
    let a = inputs.map { Variable(parameter: $0) }, b = inputs.map { Variable(parameter: $0) }
    let ya = function(a), yb = reference(b)
    XCTAssertEqual(ya.shape, yb.shape, file: file, line: line)
    guard ya.shape == yb.shape else { return }
    assertClose(ya.value, yb.value, "value", tolerance: tolerance, file: file, line: line)
    let seed = randomTensor(ya.shape, seed: 99)
    ya.backward(seed: seed)
    yb.backward(seed: seed)
    for (i, (va, vb)) in zip(a, b).enumerated() {
        guard let ga = va.grad, let gb = vb.grad else {
            XCTFail("input \(i): missing gradient", file: file, line: line)
            continue
        }
        assertClose(ga, gb, "gradient of input \(i)", tolerance: tolerance, file: file, line: line)
    }
}
