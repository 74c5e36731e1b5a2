import FileFormats
import Foundation
import TensorCore

/// The embedded default dataset: procedurally painted flower "photographs" in `classCount`
/// classes, needing no download.
///
/// Classes differ in petal count and shape (round, pointed, notched, thin rays, fringed,
/// double blooms), palette and centre; every image has its own pose, backdrop, stem and leaf,
/// and colour grading. Image `index` depends only on `(seed, index)`, so any image can be
/// regenerated on its own, in any order, on any thread; edges are anti-aliased at any size.
public struct SyntheticFlowers: Sendable {
    public let classCount: Int
    public let seed: UInt64
    private let species: [FlowerSpecies]

    /// Largest image side rendered, a guard against absurd requests (256 is the usual maximum).
    public static let maximumSize = 4096

    /// - Throws: `DatasetError.invalidArgument` if `classCount` is below 1.
    public init(classCount: Int = 10, seed: UInt64) throws {
        guard classCount >= 1 else {
            throw DatasetError(.invalidArgument, "SyntheticFlowers needs at least one class, got \(classCount)")
        }
        self.classCount = classCount
        self.seed = seed
        species = (0..<classCount).map(FlowerSpecies.forClass)
    }

    /// Class names, by label: "daisy-like", "sunflower-like", … (variants past the tenth get "#2", "#3", …).
    public var classNames: [String] { species.map(\.name) }

    /// The label of image `index`: classes take turns, so any run of `classCount` images is balanced.
    public func label(index: Int) -> Int {
        let m = index % classCount
        return m < 0 ? m + classCount : m
    }

    /// Image `index` as a `size` × `size` RGB picture.
    /// - Throws: `DatasetError.invalidArgument` if `size` is not in 1...`maximumSize`.
    public func image(index: Int, size: Int) throws -> RGBImage {
        guard size >= 1 && size <= SyntheticFlowers.maximumSize else {
            throw DatasetError(
                .invalidArgument,
                "synthetic image size must be in 1...\(SyntheticFlowers.maximumSize), got \(size)")
        }
        var rng = SeededGenerator(seed: SyntheticFlowers.imageSeed(seed: seed, index: index))
        let scene = FlowerScene(species: species[label(index: index)], rng: &rng)
        return scene.render(size: size)
    }

    /// Images `indices` at `size`, rendered in parallel (each is independent of the others).
    public func images<C: Collection>(_ indices: C, size: Int) throws -> [RGBImage] where C.Element == Int {
        let list = Array(indices)
        guard size >= 1 && size <= SyntheticFlowers.maximumSize else {
            throw DatasetError(
                .invalidArgument,
                "synthetic image size must be in 1...\(SyntheticFlowers.maximumSize), got \(size)")
        }
        let results = ResultSlots<RGBImage>(count: list.count)
        DispatchQueue.concurrentPerform(iterations: list.count) { i in
            // Size was checked above, so rendering cannot fail.
            results.set(i, (try? image(index: list[i], size: size)) ?? RGBImage(width: size, height: size))
        }
        return results.values
    }

    /// Mixes the dataset seed and the index into one generator seed, so that neighbouring
    /// indices (and neighbouring seeds) give unrelated images.
    static func imageSeed(seed: UInt64, index: Int) -> UInt64 {
        func mix(_ x: UInt64) -> UInt64 {
            var z = x &+ 0x9E37_79B9_7F4A_7C15
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        return mix(seed ^ mix(UInt64(bitPattern: Int64(index)) &+ RandomStream.syntheticFlowerImage.salt))
    }
}
