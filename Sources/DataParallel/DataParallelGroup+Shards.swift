/// Whole-batch values from the ranks' shares of them, and rank 0's values for everyone: what a
/// trainer needs besides gradients when some of its state follows the batch itself (the
/// autoencoder's codebooks: their dead-code restarts draw rows of the whole batch).
extension DataParallelGroup {
    /// The concatenation, in rank order, of every rank's `rows` (`width` floats each), on every
    /// rank: this rank's rows are rows `offset ..< offset + rows.count / width` of `total`.
    ///
    /// One float allreduce of the whole result, each rank contributing its rows and zeros
    /// elsewhere: adding zeros is exact, so every row arrives bit for bit. It moves `total·width`
    /// floats, so it is meant for what is needed now and then (not every step's gradients).
    public func concatenatingRows(_ rows: [Float], width: Int, offset: Int, total: Int) throws -> [Float] {
        precondition(
            width > 0 && rows.count % width == 0 && offset >= 0 && offset + rows.count / width <= total,
            "DataParallelGroup.concatenatingRows: \(rows.count) floats at row \(offset) of \(total) rows of \(width)")
        var whole = [Float](repeating: 0, count: total * width)
        whole.replaceSubrange((offset * width)..<(offset * width + rows.count), with: rows)
        try whole.withUnsafeMutableBufferPointer { try communicator.allreduceSum($0) }
        return whole
    }

    /// Rank 0's floats on every rank (the same count everywhere).
    public func rank0Values(_ values: [Float]) throws -> [Float] {
        var values = values
        try values.withUnsafeMutableBytes { try communicator.broadcast($0, root: 0) }
        return values
    }
}

extension DataParallelGroup {
    /// Every rank's rows of `whole` on every rank: rank r holds the rows `rowsOf(r)` of `whole`
    /// (`width` floats each; the rest of its buffer is ignored) and after the call every rank
    /// holds all of them, bit for bit. One broadcast per rank, rooted at the owner of the rows,
    /// so nothing is added (an allreduce with zeros would turn a -0 into +0).
    public func gatherRows(_ whole: inout [Float], width: Int, rowsOf: (Int) -> Range<Int>) throws {
        for owner in 0..<size {
            let rows = rowsOf(owner)
            precondition(
                width > 0 && rows.lowerBound >= 0 && rows.upperBound * width <= whole.count,
                "DataParallelGroup.gatherRows: rows \(rows) of \(width) floats in a buffer of \(whole.count)")
            if rows.isEmpty { continue }
            try whole.withUnsafeMutableBytes { bytes in
                let stride = width * MemoryLayout<Float>.stride
                let part = UnsafeMutableRawBufferPointer(
                    rebasing: bytes[(rows.lowerBound * stride)..<(rows.upperBound * stride)])
                try communicator.broadcast(part, root: owner)
            }
        }
    }

    /// Rank 0's text on every rank (a digest, a note): its length, then its bytes.
    public func rank0Text(_ text: String) throws -> String {
        let count = try rank0Decision([Int64(text.utf8.count)])[0]
        var bytes = rank == 0 ? Array(text.utf8) : [UInt8](repeating: 0, count: Int(count))
        try bytes.withUnsafeMutableBytes { try communicator.broadcast($0, root: 0) }
        return String(decoding: bytes, as: UTF8.self)
    }
}
