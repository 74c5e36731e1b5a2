import FileFormats
import Foundation

/// Whole-number vectors from MAT-file variables (label and index lists).
enum MATVector {
    /// Variable `name` as integers: it must exist, be a vector (1×N, N×1 or empty) and hold
    /// whole numbers only.
    static func integers(_ variables: [String: MATArray], _ name: String, in url: URL) throws -> [Int] {
        guard let array = variables[name] else {
            let found = variables.keys.sorted().joined(separator: ", ")
            throw FileFormatError(
                .malformed, path: url.path,
                "has no numeric variable '\(name)' (found: \(found.isEmpty ? "none" : found))")
        }
        guard array.dims.filter({ $0 > 1 }).count <= 1 else {
            throw FileFormatError(
                .malformed, path: url.path,
                "variable '\(name)' is \(array.dims.map(String.init).joined(separator: "×")), expected a vector")
        }
        var result: [Int] = []
        result.reserveCapacity(array.values.count)
        for (i, v) in array.values.enumerated() {
            guard v.isFinite, v.rounded() == v, abs(v) < 1e15 else {
                throw FileFormatError(
                    .malformed, path: url.path, "variable '\(name)' element \(i + 1) is \(v), not a whole number")
            }
            result.append(Int(v))
        }
        return result
    }
}
