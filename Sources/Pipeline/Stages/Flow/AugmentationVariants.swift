import Datasets
import FileFormats
import LatentFlow
import TensorCore

/// The frozen augmentations `pipeline encode --augmentations K` stores per image: variant 1 is
/// the mirrored centre crop; variants 2… are random crops of 70–100 % of the stored image's
/// area (random position, aspect 3:4 to 4:3, resized back with Lanczos), mirrored at random.
/// Each variant is a pure function of (seed, row, variant), so a re-encode gives the same set.
public enum AugmentationVariants {
    public static let cropScale = 0.7...1.0

    /// A name per variant 1…count, for the cache's `augmentation_kinds` attribute.
    public static func kinds(count: Int) -> [String] {
        (1...max(count, 1)).prefix(count).map { $0 == 1 ? "flip" : "crop" }
    }

    /// Variant `variant` (1-based) of a stored image, as a `size` × `size` image.
    public static func image(_ stored: RGBImage, size: Int, variant: Int, row: Int, seed: UInt64) throws -> RGBImage {
        if variant == 1 {
            return Augmentation.horizontalFlip(try Cropper.centerCrop(stored, width: size, height: size))
        }
        var generator = SeededGenerator(
            seed: SeedMixing.combine(seed, RandomStream.imageAugmentation.salt, UInt64(row), UInt64(variant)))
        let crop = RandomResizedCrop(size: size, scale: cropScale)
        let image = try crop.apply(stored, rng: &generator)
        return generator.uniform() < 0.5 ? Augmentation.horizontalFlip(image) : image
    }
}
