import Dispatch
import FileFormats
import TensorCore

/// Turns stored HWC bytes into an NCHW float batch in [-1, 1], cropping and flipping each image
/// as its own generator decides.
struct BatchAssembler: Sendable {
    let storedSize: Int
    let size: Int
    let augmentation: BatchAugmentation
    /// Threads sharing a batch's images (1: the calling thread only).
    let workers: Int

    /// byte ↦ byte × 2/255 − 1, so the inner loop is a table look-up.
    private static let levels: [Float] = (0..<256).map { Float($0) * (2.0 / 255.0) - 1 }

    /// `pixels` holds `count` stored images back to back; `generator(slot)` gives each image's
    /// generator. Every image's result depends only on its bytes and its generator.
    func assemble(_ pixels: [UInt8], count: Int, generator: (Int) -> SeededGenerator) throws -> Tensor {
        let tensor = Tensor(uninitializedShape: [count, 3, size, size])
        let generators = (0..<count).map(generator)
        let out = tensor.unsafePointer
        let plane = size * size
        let storedBytes = storedSize * storedSize * 3
        let failures = ResultSlots<Error?>(count: count)
        pixels.withUnsafeBufferPointer { src in
            let work = { (slot: Int) in
                do {
                    var rng = generators[slot]
                    let image = UnsafeBufferPointer(rebasing: src[(slot * storedBytes)..<((slot + 1) * storedBytes)])
                    try assembleOne(image, into: out + slot * 3 * plane, rng: &rng)
                    failures.set(slot, nil)
                } catch {
                    failures.set(slot, error)
                }
            }
            if workers > 1 && count > 1 {
                let next = AtomicCounter(0)
                DispatchQueue.concurrentPerform(iterations: min(workers, count)) { _ in
                    while let slot = next.take(below: count) { work(slot) }
                }
            } else {
                for slot in 0..<count { work(slot) }
            }
        }
        if let error = failures.values.compactMap({ $0 }).first { throw error }
        return tensor
    }

    /// One image: flip decision first, then the crop, drawn from `rng` in that order.
    private func assembleOne(
        _ image: UnsafeBufferPointer<UInt8>, into out: UnsafeMutablePointer<Float>,
        rng: inout SeededGenerator
    ) throws {
        let flip = augmentation.horizontalFlip && rng.uniform() < 0.5
        let margin = storedSize - size
        switch augmentation.crop {
        case .center:
            write(image, width: storedSize, x: margin / 2, y: margin / 2, flip: flip, into: out)
        case .random:
            let y = rng.integer(below: margin + 1)
            let x = rng.integer(below: margin + 1)
            write(image, width: storedSize, x: x, y: y, flip: flip, into: out)
        case let .randomResized(scale, ratio):
            let stored = RGBImage(width: storedSize, height: storedSize, pixels: Array(image))
            let cropped = try RandomResizedCrop(size: size, scale: scale, ratio: ratio).apply(stored, rng: &rng)
            cropped.pixels.withUnsafeBufferPointer {
                write($0, width: size, x: 0, y: 0, flip: flip, into: out)
            }
        }
    }

    /// Copies the `size` square at (x, y) of an interleaved image of `width` columns into three planes.
    private func write(
        _ image: UnsafeBufferPointer<UInt8>, width: Int, x: Int, y: Int, flip: Bool,
        into out: UnsafeMutablePointer<Float>
    ) {
        let plane = size * size
        BatchAssembler.levels.withUnsafeBufferPointer { table in
            for row in 0..<size {
                let source = ((y + row) * width + x) * 3
                let r = out + row * size, g = r + plane, b = g + plane
                for column in 0..<size {
                    let s = source + (flip ? size - 1 - column : column) * 3
                    r[column] = table[Int(image[s])]
                    g[column] = table[Int(image[s + 1])]
                    b[column] = table[Int(image[s + 2])]
                }
            }
        }
    }
}
