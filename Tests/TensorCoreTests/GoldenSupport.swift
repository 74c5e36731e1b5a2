import FileFormats
import Foundation
import SharedTestData
import TensorCore
import XCTest

/// One PyTorch reference case from `../shared/golden`: inputs, upstream gradient `gy`, output `y`,
/// and `dNAME` for every float input, with the op's settings in `metadata`.
struct GoldenCase {
    let name: String
    let tensors: [String: SafetensorsTensor]
    let metadata: [String: String]

    static func load(_ name: String) throws -> GoldenCase {
        let url = try SharedTestData.url("golden/\(name).safetensors")
        let file = try SafetensorsFile.read(from: url)
        return GoldenCase(name: name, tensors: file.tensors, metadata: file.metadata)
    }

    func tensor(_ key: String) throws -> Tensor {
        guard let t = tensors[key] else { throw GoldenError.missing("\(name): no tensor '\(key)'") }
        return Tensor(shape: t.shape, values: try t.floats())
    }

    func integers(_ key: String) throws -> [Int] {
        guard let t = tensors[key] else { throw GoldenError.missing("\(name): no tensor '\(key)'") }
        return try t.int64s().map { Int($0) }
    }

    func setting(_ key: String) throws -> Int {
        guard let text = metadata[key], let value = Int(text) else {
            throw GoldenError.missing("\(name): no integer setting '\(key)' in \(metadata)")
        }
        return value
    }

    func floatSetting(_ key: String) throws -> Float {
        guard let text = metadata[key], let value = Float(text) else {
            throw GoldenError.missing("\(name): no number setting '\(key)' in \(metadata)")
        }
        return value
    }

    /// Runs `function` on the named inputs as parameters, back-propagates `gy`, and checks `y`
    /// and every `dNAME` to a relative error of `tolerance` (max |a−b| / max(1e-3, max|b|)).
    func check(
        inputs names: [String], tolerance: Float = 1e-4, file: StaticString = #filePath, line: UInt = #line,
        _ function: ([Variable]) -> Variable
    ) throws {
        let variables = try names.map { Variable(parameter: try tensor($0)) }
        let y = function(variables)
        assertClose(y.value, try tensor("y"), "\(name): y", tolerance: tolerance, file: file, line: line)
        y.backward(seed: try tensor("gy"))
        for (inputName, variable) in zip(names, variables) where tensors["d" + inputName] != nil {
            guard let grad = variable.grad else {
                XCTFail("\(name): no gradient for \(inputName)", file: file, line: line)
                continue
            }
            assertClose(
                grad, try tensor("d" + inputName), "\(name): d\(inputName)", tolerance: tolerance,
                file: file, line: line)
        }
    }
}

enum GoldenError: Error { case missing(String) }

func assertClose(
    _ actual: Tensor, _ expected: Tensor, _ what: String, tolerance: Float,
    file: StaticString = #filePath, line: UInt = #line
) {
    XCTAssertEqual(actual.shape, expected.shape, "\(what): shape", file: file, line: line)
    guard actual.shape == expected.shape else { return }
    var scale: Float = 1e-3
    for i in 0..<expected.count { scale = max(scale, abs(expected[flat: i])) }
    let error = actual.maxAbsoluteDifference(expected) / scale
    XCTAssertLessThanOrEqual(error, tolerance, "\(what): relative error \(error)", file: file, line: line)
}
