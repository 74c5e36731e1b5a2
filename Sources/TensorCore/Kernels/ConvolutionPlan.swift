/// How one convolution is cut into GEMM blocks and spread over threads.
///
/// A block is `imagesPerBlock` images side by side (for small outputs, so the GEMM is wide enough
/// to run fast), or one image's output rows `rowsPerBlock` at a time (for large outputs, so the
/// column matrix stays cache-sized). Groups of images are the unit of parallel work: all blocks of
/// an image run on one worker, so their overlapping input-gradient writes never race.
struct ConvolutionPlan {
    let geometry: ConvolutionGeometry
    let imagesPerBlock: Int
    let rowsPerBlock: Int
    /// Workers running groups in parallel; 1 means one block after another with multithreaded BLAS.
    let workers: Int

    var groups: Int { (geometry.batch + imagesPerBlock - 1) / imagesPerBlock }
    /// Columns of the widest block.
    var maximumColumns: Int { imagesPerBlock * rowsPerBlock * geometry.outWidth }

    /// `minimumColumns`: outputs smaller than this are put side by side (see `ConvolutionTuning`).
    init(
        _ g: ConvolutionGeometry, threads: Int = ComputeThreads.count,
        minimumColumns: Int = ConvolutionTuning.minimumColumns
    ) {
        geometry = g
        let pixels = max(g.outPixels, 1)
        let budget = max(1, ConvolutionTuning.columnBudgetBytes / MemoryLayout<Float>.stride)
        if pixels >= minimumColumns || g.batch <= 1 {
            imagesPerBlock = 1
            rowsPerBlock =
                g.isPointwise
                ? g.outHeight
                : max(1, min(g.outHeight, budget / max(1, g.patchSize * g.outWidth)))
        } else {
            var images = min(g.batch, (minimumColumns + pixels - 1) / pixels)
            // Keep every worker busy when the batch allows it.
            if threads > 1, (g.batch + images - 1) / images < threads, g.batch >= threads {
                images = (g.batch + threads - 1) / threads
            }
            imagesPerBlock = images
            rowsPerBlock = g.outHeight
        }
        let groups = (g.batch + imagesPerBlock - 1) / imagesPerBlock
        switch ConvolutionTuning.threading {
        case .blasThreads: workers = 1
        case .automatic, .imagesInParallel: workers = max(1, min(threads, groups))
        }
    }

    /// The groups worker `w` handles (contiguous, balanced).
    func groups(ofWorker w: Int) -> Range<Int> {
        let total = groups
        return (w * total / workers)..<((w + 1) * total / workers)
    }

    /// The images of group `group`.
    func images(ofGroup group: Int) -> Range<Int> {
        let first = group * imagesPerBlock
        return first..<min(geometry.batch, first + imagesPerBlock)
    }

    /// The row tiles of a group's output (all rows at once when images are side by side).
    func rowTiles() -> StrideTo<Int> { stride(from: 0, to: geometry.outHeight, by: rowsPerBlock) }

    /// Runs `body(worker)` on every worker: in parallel with BLAS single-threaded, or inline.
    func run(_ body: (Int) -> Void) {
        if workers == 1 {
            body(0)
        } else {
            BLASThreadScope.singleThreaded { parallelFor(workers) { body($0) } }
        }
    }
}
