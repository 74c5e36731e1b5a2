extension WinogradKernel {
    /// Blocks of tiles: one image's tile rows at a time for large images (so the transformed
    /// input stays cache-sized), several whole images side by side for small ones (so the
    /// GEMMs are wide enough). Blocks write disjoint output rows, so they run in any order.
    struct Blocking {
        struct Block {
            let images: Range<Int>
            let tileRows: Range<Int>
        }

        let blocks: [Block]
        let workers: Int

        init(_ p: Problem, threads: Int = ComputeThreads.count) {
            let tilesPerRow = max(1, p.tileColumns), tilesPerImage = max(1, p.tileRows * tilesPerRow)
            let channels = max(p.inChannels, p.outChannels)
            let budget = max(
                1,
                ConvolutionTuning.winogradBudgetBytes
                    / (p.positions * channels * MemoryLayout<Float>.stride))
            var blocks: [Block] = []
            // Minimum tiles scale with the tile area so a block covers about as many pixels at either size.
            let minimumTiles = max(1, ConvolutionTuning.winogradMinimumTiles * 4 / (p.tile * p.tile))
            if tilesPerImage >= minimumTiles || p.batch <= 1 {
                let rowsPerBlock = max(1, min(p.tileRows, budget / tilesPerRow))
                for n in 0..<p.batch {
                    for first in stride(from: 0, to: p.tileRows, by: rowsPerBlock) {
                        blocks.append(
                            Block(
                                images: n..<(n + 1),
                                tileRows: first..<min(p.tileRows, first + rowsPerBlock)))
                    }
                }
            } else {
                var images = min(p.batch, (minimumTiles + tilesPerImage - 1) / tilesPerImage)
                if threads > 1, (p.batch + images - 1) / images < threads, p.batch >= threads {
                    images = (p.batch + threads - 1) / threads
                }
                for first in stride(from: 0, to: p.batch, by: images) {
                    blocks.append(Block(images: first..<min(p.batch, first + images), tileRows: 0..<p.tileRows))
                }
            }
            self.blocks = blocks
            switch ConvolutionTuning.threading {
            case .blasThreads: workers = 1
            case .automatic, .imagesInParallel: workers = max(1, min(threads, blocks.count))
            }
        }

        func blocks(ofWorker w: Int) -> ArraySlice<Block> {
            blocks[(w * blocks.count / workers)..<((w + 1) * blocks.count / workers)]
        }
    }
}
