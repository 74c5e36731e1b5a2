import Datasets
import FileFormats
import Foundation
import TensorCore

/// A picture of how the autoencoder is doing: originals in the top row, and below them one row
/// per way of reconstructing them, separated by thin white lines.
public enum ReconstructionGrid {
    /// - Parameter rows: batches [N, 3, H, W] in [-1, 1], all of the same shape; the first is
    ///   the originals.
    public static func image(rows: [Tensor], gap: Int = 2) throws -> RGBImage {
        guard let first = rows.first else { return RGBImage(width: 1, height: 1, fill: (255, 255, 255)) }
        let (n, _, h, w) = first.nchw("ReconstructionGrid")
        precondition(rows.allSatisfy { $0.shape == first.shape }, "ReconstructionGrid: rows differ in shape")
        let width = n * w + (n + 1) * gap, height = rows.count * h + (rows.count + 1) * gap
        var grid = RGBImage(width: width, height: height, fill: (255, 255, 255))
        for (r, row) in rows.enumerated() {
            let pixels = try ImageTensorConversion.hwcBytes(fromNCHW: row.values, count: n, height: h, width: w)
            for image in 0..<n {
                let x0 = gap + image * (w + gap), y0 = gap + r * (h + gap)
                for y in 0..<h {
                    let source = (image * h + y) * w * 3, target = ((y0 + y) * width + x0) * 3
                    grid.pixels.replaceSubrange(target..<(target + w * 3), with: pixels[source..<(source + w * 3)])
                }
            }
        }
        return grid
    }

    /// Writes the grid as a PNG, atomically.
    public static func write(rows: [Tensor], to url: URL) throws {
        try PNGImage.write(image(rows: rows), to: url)
    }
}
