import FileFormats

/// A rectangle of pixels inside an image: origin at the top-left corner.
public struct CropRect: Equatable, Sendable, CustomStringConvertible {
    public var x: Int
    public var y: Int
    public var width: Int
    public var height: Int

    public init(x: Int, y: Int, width: Int, height: Int) {
        self.x = x
        self.y = y
        self.width = width
        self.height = height
    }

    public var description: String { "\(width)×\(height) at (\(x), \(y))" }
}

/// Cropping, and the usual "resize then centre crop" preparation of a dataset image.
public enum Cropper {
    /// The pixels of `rect`.
    /// - Throws: `DatasetError.invalidArgument` if `rect` is empty or not inside the image.
    public static func crop(_ image: RGBImage, to rect: CropRect) throws -> RGBImage {
        guard rect.width > 0, rect.height > 0, rect.x >= 0, rect.y >= 0,
            rect.x + rect.width <= image.width, rect.y + rect.height <= image.height
        else {
            throw DatasetError(.invalidArgument, "crop \(rect) is not inside a \(image.width)×\(image.height) image")
        }
        if rect.width == image.width && rect.height == image.height { return image }
        var out = [UInt8](repeating: 0, count: rect.width * rect.height * 3)
        let rowBytes = rect.width * 3
        for row in 0..<rect.height {
            let s = ((rect.y + row) * image.width + rect.x) * 3
            out.replaceSubrange(row * rowBytes..<(row + 1) * rowBytes, with: image.pixels[s..<s + rowBytes])
        }
        return RGBImage(width: rect.width, height: rect.height, pixels: out)
    }

    /// The centred `width` × `height` crop (odd leftovers go to the right and bottom).
    public static func centerCrop(_ image: RGBImage, width: Int, height: Int) throws -> RGBImage {
        guard width <= image.width && height <= image.height else {
            throw DatasetError(
                .invalidArgument,
                "centre crop \(width)×\(height) is larger than the \(image.width)×\(image.height) image")
        }
        return try crop(
            image,
            to: CropRect(
                x: (image.width - width) / 2, y: (image.height - height) / 2,
                width: width, height: height))
    }

    /// Prepares a dataset image: shorter side resized to `size + margin`, then the centred square
    /// of that side. A margin (e.g. 16 for 144 px around a 128 px target) leaves room for random
    /// `size` crops during training.
    public static func resizeAndCenterCrop(
        _ image: RGBImage, size: Int, margin: Int = 0,
        filter: ResampleFilter = .lanczos3
    ) throws -> ResizeResult {
        guard size > 0 && margin >= 0 else {
            throw DatasetError(.invalidArgument, "size \(size) must be positive and margin \(margin) not negative")
        }
        let side = size + margin
        let resized = try Resampler.resizeShorterSide(image, to: side, filter: filter)
        let square = try centerCrop(resized.image, width: side, height: side)
        return ResizeResult(image: square, scale: resized.scale, warning: resized.warning)
    }
}
