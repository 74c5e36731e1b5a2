/// A 1-D linear resampling operator given as a few weighted taps per output sample, applied
/// along rows and then along columns of each plane. The Gaussian pyramid's blur-and-decimate and
/// its zero-insert-and-blur are both of this form, with mirrored borders folded into the taps.
struct SeparableOperator {
    let inputCount: Int
    let outputCount: Int
    /// For output i, taps `start[i] ..< start[i + 1]` of `indices`/`weights`.
    private let start: [Int]
    private let indices: [Int]
    private let weights: [Float]

    init(inputCount: Int, outputCount: Int, taps: (Int) -> [(index: Int, weight: Float)]) {
        var start = [0]
        var indices: [Int] = []
        var weights: [Float] = []
        for i in 0..<outputCount {
            // Merge taps that fold onto the same input sample at a mirrored border.
            var merged: [(index: Int, weight: Float)] = []
            for tap in taps(i) where tap.weight != 0 {
                precondition(
                    tap.index >= 0 && tap.index < inputCount,
                    "SeparableOperator: tap \(tap.index) outside 0..<\(inputCount)")
                if let k = merged.firstIndex(where: { $0.index == tap.index }) {
                    merged[k].weight += tap.weight
                } else {
                    merged.append(tap)
                }
            }
            indices += merged.map(\.index)
            weights += merged.map(\.weight)
            start.append(indices.count)
        }
        self.inputCount = inputCount
        self.outputCount = outputCount
        self.start = start
        self.indices = indices
        self.weights = weights
    }

    /// Applies `horizontal` along each row and `vertical` along each column of every plane.
    static func apply(_ image: PlanarImage, horizontal: SeparableOperator, vertical: SeparableOperator) -> PlanarImage {
        precondition(
            horizontal.inputCount == image.width && vertical.inputCount == image.height,
            "SeparableOperator: operators do not fit a \(image.width)×\(image.height) image")
        let outW = horizontal.outputCount, outH = vertical.outputCount
        var rowsDone = [Float](repeating: 0, count: image.height * outW)
        var out = PlanarImage(zeros: image.channels, height: outH, width: outW)
        image.values.withUnsafeBufferPointer { src in
            rowsDone.withUnsafeMutableBufferPointer { tmp in
                out.values.withUnsafeMutableBufferPointer { dst in
                    for c in 0..<image.channels {
                        let plane = src.baseAddress! + c * image.plane
                        for y in 0..<image.height {
                            horizontal.applyGather(plane + y * image.width, into: tmp.baseAddress! + y * outW)
                        }
                        let outPlane = dst.baseAddress! + c * outH * outW
                        for y in 0..<outH {
                            vertical.accumulateRows(
                                output: y, rows: UnsafePointer(tmp.baseAddress!), width: outW,
                                into: outPlane + y * outW)
                        }
                    }
                }
            }
        }
        return out
    }

    /// out[i] = Σ weight · input[index] over the taps of output i.
    private func applyGather(_ input: UnsafePointer<Float>, into output: UnsafeMutablePointer<Float>) {
        indices.withUnsafeBufferPointer { idx in
            weights.withUnsafeBufferPointer { w in
                start.withUnsafeBufferPointer { s in
                    for i in 0..<outputCount {
                        var sum: Float = 0
                        for t in s[i]..<s[i + 1] { sum += w[t] * input[idx[t]] }
                        output[i] = sum
                    }
                }
            }
        }
    }

    /// Row `output` of the result = Σ weight · row[index], whole rows at a time (vectorises).
    private func accumulateRows(
        output: Int, rows: UnsafePointer<Float>, width: Int, into out: UnsafeMutablePointer<Float>
    ) {
        for t in start[output]..<start[output + 1] {
            let w = weights[t]
            let row = rows + indices[t] * width
            for x in 0..<width { out[x] += w * row[x] }
        }
    }
}
