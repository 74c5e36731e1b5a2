import FileFormats
import Foundation
import LatentFlow

extension LatentCache {
    /// The stored per-channel statistics of `kind`, checked before use: a file we did not write
    /// may hold any number of them, and `ChannelStatistics` (and everything that standardises
    /// latents with it) assumes one mean and one deviation per latent channel. The shapes are
    /// checked before reading, so a huge declared dataset is refused without allocating it.
    func checkedStatistics(_ kind: Kind) throws -> ChannelStatistics {
        let channels = latentShape[0]
        func values(_ name: String) throws -> [Float] {
            let dataset = try file.dataset(name)
            guard dataset.elementType == .float32, dataset.shape == [channels] else {
                throw FileFormatError(
                    .malformed, path: url.path,
                    "'\(name)' is \(dataset.elementType.rawValue) \(dataset.shape), expected float32 [\(channels)] (one value per latent channel)"
                )
            }
            return try dataset.read(Float.self)
        }
        // Shapes checked above; the values (finite, std ≥ 0) by `validated`, which never traps.
        do {
            return try .validated(mean: try values("\(kind.rawValue)_mean"), std: try values("\(kind.rawValue)_std"))
        } catch let error as FlowTrainingError {
            throw FileFormatError(.malformed, path: url.path, "'\(kind.rawValue)_mean/_std': \(error.message)")
        }
    }

    /// The frozen augmentations of `kind`, checked to be [N, K, C, h, w] before they are read:
    /// opening checks only `augmented/continuous`, and `latents(_:rows:variants:)` slices this
    /// array by that shape (out of bounds, unchecked in -Ounchecked builds, if it were smaller).
    func checkedAugmentedLatents(_ kind: Kind) throws -> [Float] {
        let name = "augmented/\(kind.rawValue)"
        let dataset = try file.dataset(name)
        let expected = [count, augmentations] + latentShape
        guard dataset.elementType == .float32, dataset.shape == expected else {
            throw FileFormatError(
                .malformed, path: url.path,
                "'\(name)' is \(dataset.elementType.rawValue) \(dataset.shape), expected float32 \(expected)")
        }
        return try dataset.read(Float.self)
    }
}
