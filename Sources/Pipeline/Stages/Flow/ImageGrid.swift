import FileFormats

/// Lays equally sized images out in a grid with a thin border, row by row.
enum ImageGrid {
    static func make(_ images: [RGBImage], columns: Int, padding: Int = 2, background: UInt8 = 255) -> RGBImage {
        guard let first = images.first, columns >= 1 else { return RGBImage(width: 1, height: 1) }
        let w = first.width, h = first.height
        let rows = (images.count + columns - 1) / columns
        let width = columns * w + (columns + 1) * padding, height = rows * h + (rows + 1) * padding
        var pixels = [UInt8](repeating: background, count: width * height * 3)
        for (index, image) in images.enumerated() where image.width == w && image.height == h {
            let x0 = padding + (index % columns) * (w + padding), y0 = padding + (index / columns) * (h + padding)
            for y in 0..<h {
                let dst = ((y0 + y) * width + x0) * 3
                pixels.replaceSubrange(dst..<(dst + w * 3), with: image.pixels[(y * w * 3)..<((y + 1) * w * 3)])
            }
        }
        return RGBImage(width: width, height: height, pixels: pixels)
    }
}
