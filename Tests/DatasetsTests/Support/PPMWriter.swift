import FileFormats
import Foundation

/// Test-only: writes an `RGBImage` as binary PPM (P6), so a person can look at what the
/// generators draw (any image tool, or `convert x.ppm x.png`) while there is no PNG writer.
enum PPMWriter {
    static func write(_ image: RGBImage, to url: URL) throws {
        var data = Data("P6\n\(image.width) \(image.height)\n255\n".utf8)
        data.append(contentsOf: image.pixels)
        try data.write(to: url, options: .atomic)
    }

    /// Tiles equally sized images into a grid, each enlarged `scale` times by pixel repetition
    /// (so that small renders can be inspected pixel by pixel), with a 2-pixel grey gutter.
    static func contactSheet(_ images: [RGBImage], columns: Int, scale: Int = 1) -> RGBImage {
        guard let first = images.first else { return RGBImage(width: 0, height: 0) }
        let gutter = 2
        let cell = first.width * scale + gutter
        let rows = (images.count + columns - 1) / columns
        var sheet = RGBImage(width: columns * cell + gutter, height: rows * cell + gutter, fill: (90, 90, 90))
        for (n, image) in images.enumerated() {
            let ox = gutter + (n % columns) * cell, oy = gutter + (n / columns) * cell
            for y in 0..<(image.height * scale) {
                for x in 0..<(image.width * scale) {
                    let s = ((y / scale) * image.width + x / scale) * 3
                    let d = ((oy + y) * sheet.width + ox + x) * 3
                    sheet.pixels[d] = image.pixels[s]
                    sheet.pixels[d + 1] = image.pixels[s + 1]
                    sheet.pixels[d + 2] = image.pixels[s + 2]
                }
            }
        }
        return sheet
    }
}
