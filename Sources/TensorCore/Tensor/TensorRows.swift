/// Row (first-dimension) slicing, gathering and stacking: batches split, reordered and joined.
extension Tensor {
    /// The rows (first-dimension slices) at `indices`, in that order.
    public func gatheringRows(_ indices: [Int]) -> Tensor {
        precondition(rank >= 1, "gatheringRows: tensor of shape \(shape) has no rows")
        let rows = shape[0]
        let per = rows == 0 ? 0 : count / rows
        var outShape = shape
        outShape[0] = indices.count
        let out = Tensor(uninitializedShape: outShape)
        let src = unsafePointer, dst = out.unsafePointer
        for (k, row) in indices.enumerated() {
            precondition(row >= 0 && row < rows, "gatheringRows: row \(row) outside 0..<\(rows)")
            (dst + k * per).update(from: src + row * per, count: per)
        }
        return out
    }

    /// Rows of several tensors with equal trailing shapes, stacked along the first dimension.
    public static func concatenatingRows(_ parts: [Tensor]) -> Tensor {
        precondition(!parts.isEmpty, "concatenatingRows: nothing to concatenate")
        let trailing = Array(parts[0].shape.dropFirst())
        var total = 0
        for part in parts {
            precondition(
                Array(part.shape.dropFirst()) == trailing,
                "concatenatingRows: shapes \(parts[0].shape) and \(part.shape) differ after the first dimension")
            total += part.shape[0]
        }
        let out = Tensor(uninitializedShape: [total] + trailing)
        var offset = 0
        for part in parts {
            (out.unsafePointer + offset).update(from: part.unsafePointer, count: part.count)
            offset += part.count
        }
        return out
    }

    /// Rows `range` as a new tensor.
    public func rows(_ range: Range<Int>) -> Tensor {
        precondition(
            rank >= 1 && range.lowerBound >= 0 && range.upperBound <= shape[0],
            "rows: \(range) outside a tensor of shape \(shape)")
        let per = shape[0] == 0 ? 0 : count / shape[0]
        var outShape = shape
        outShape[0] = range.count
        let out = Tensor(uninitializedShape: outShape)
        out.unsafePointer.update(from: unsafePointer + range.lowerBound * per, count: range.count * per)
        return out
    }
}
