import TensorCore

/// Between NCHW latents and the per-position vectors the quantizer works on: row
/// (n·H + h)·W + w of the [N·H·W, C] matrix is the C channels of image n at (h, w).
public enum LatentVectors {
    /// [N, C, H, W] → [N·H·W, C].
    public static func rows(of latents: Tensor) -> Tensor {
        let (n, c, h, w) = latents.nchw("LatentVectors.rows")
        let plane = h * w
        let out = Tensor(uninitializedShape: [n * plane, c])
        let o = out.unsafePointer
        latents.withUnsafePointer { x in
            for image in 0..<n {
                for channel in 0..<c {
                    let source = x + (image * c + channel) * plane
                    let target = o + image * plane * c + channel
                    for p in 0..<plane { target[p * c] = source[p] }
                }
            }
        }
        return out
    }

    /// [N·H·W, C] → [N, C, H, W].
    public static func latents(from rows: Tensor, count n: Int, height h: Int, width w: Int) -> Tensor {
        precondition(
            rows.rank == 2 && rows.shape[0] == n * h * w,
            "LatentVectors.latents: rows \(rows.shape) are not \(n)·\(h)·\(w) vectors")
        let c = rows.shape[1], plane = h * w
        let out = Tensor(uninitializedShape: [n, c, h, w])
        let o = out.unsafePointer
        rows.withUnsafePointer { x in
            for image in 0..<n {
                for channel in 0..<c {
                    let source = x + image * plane * c + channel
                    let target = o + (image * c + channel) * plane
                    for p in 0..<plane { target[p] = source[p * c] }
                }
            }
        }
        return out
    }
}
