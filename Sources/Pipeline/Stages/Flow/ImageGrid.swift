import FileFormats

/// Lays equally sized images out in a grid with a thin border, row by row.
enum ImageGrid {
    /// More classes than this side by side make a grid too wide to look at: they wrap into bands.
    static let maximumClassColumns = 20

    /// `images[i]` is at row `i / columns`, column `i % columns`; nil leaves its cell blank.
    static func make(_ images: [RGBImage?], columns: Int, padding: Int = 2, background: UInt8 = 255) -> RGBImage {
        guard let first = images.lazy.compactMap({ $0 }).first, columns >= 1 else {
            return RGBImage(width: 1, height: 1)
        }
        let w = first.width, h = first.height
        let rows = (images.count + columns - 1) / columns
        let width = columns * w + (columns + 1) * padding, height = rows * h + (rows + 1) * padding
        var pixels = [UInt8](repeating: background, count: width * height * 3)
        for (index, image) in images.enumerated() {
            guard let image, image.width == w, image.height == h else { continue }
            let x0 = padding + (index % columns) * (w + padding), y0 = padding + (index / columns) * (h + padding)
            for y in 0..<h {
                let dst = ((y0 + y) * width + x0) * 3
                pixels.replaceSubrange(dst..<(dst + w * 3), with: image.pixels[(y * w * 3)..<((y + 1) * w * 3)])
            }
        }
        return RGBImage(width: width, height: height, pixels: pixels)
    }

    /// One class per column for samples drawn class after class (`images[i]` is of class
    /// `i % classCount`). Up to `maximumColumns` classes sit side by side; more wrap into bands of
    /// equal width stacked top to bottom (102 classes: 6 bands of 17), so every class keeps its
    /// own column of samples.
    static func byClass(_ images: [RGBImage], classCount: Int, maximumColumns: Int = maximumClassColumns) -> RGBImage {
        let classes = max(classCount, 1)
        guard classes > maximumColumns else { return make(images, columns: classes) }
        let bands = (classes + maximumColumns - 1) / maximumColumns
        let columns = (classes + bands - 1) / bands
        let rowsPerBand = (images.count + classes - 1) / classes
        var cells: [RGBImage?] = []
        cells.reserveCapacity(bands * rowsPerBand * columns)
        for band in 0..<bands {
            for row in 0..<rowsPerBand {
                for column in 0..<columns {
                    let classIndex = band * columns + column, index = row * classes + classIndex
                    cells.append(classIndex < classes && index < images.count ? images[index] : nil)
                }
            }
        }
        return make(cells, columns: columns)
    }
}
