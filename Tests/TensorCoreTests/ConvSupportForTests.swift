import TensorCore
import XCTest

/// Settings of `ConvolutionTuning` that drive conv2d through each of its code paths.
struct ConvTuningSetting {
    let name: String
    var threading: ConvolutionTuning.Threading = ConvolutionTuning.threading
    var minimumColumns = ConvolutionTuning.minimumColumns
    var columnBudgetBytes = ConvolutionTuning.columnBudgetBytes
    var winogradMinimumChannels = ConvolutionTuning.winogradMinimumChannels
    var winogradMinimumTiles = ConvolutionTuning.winogradMinimumTiles
    var winogradTile = ConvolutionTuning.winogradTile
    var winogradBudgetBytes = ConvolutionTuning.winogradBudgetBytes
    var threads = ComputeThreads.count

    static let all: [ConvTuningSetting] = [
        ConvTuningSetting(name: "default"),
        // Uneven splits of blocks over workers, and no worker threads at all.
        ConvTuningSetting(
            name: "three threads", minimumColumns: 1, columnBudgetBytes: 4, winogradBudgetBytes: 4,
            threads: 3),
        ConvTuningSetting(name: "one thread", threads: 1),
        // im2col, every image its own block, cut into single output rows.
        ConvTuningSetting(
            name: "row tiles, parallel", threading: .imagesInParallel, minimumColumns: 1,
            columnBudgetBytes: 4, winogradMinimumChannels: 0),
        ConvTuningSetting(
            name: "row tiles, BLAS threads", threading: .blasThreads, minimumColumns: 1,
            columnBudgetBytes: 4, winogradMinimumChannels: 0),
        // im2col, images side by side in one GEMM.
        ConvTuningSetting(
            name: "grouped, parallel", threading: .imagesInParallel, minimumColumns: 1 << 20,
            columnBudgetBytes: 1 << 30, winogradMinimumChannels: 0),
        ConvTuningSetting(
            name: "grouped, BLAS threads", threading: .blasThreads, minimumColumns: 1 << 20,
            columnBudgetBytes: 1 << 30, winogradMinimumChannels: 0),
        // Winograd F(2×2) and F(4×4) for every 3×3 stride-1 convolution: one tile row per block,
        // or whole images side by side.
        ConvTuningSetting(
            name: "Winograd F2 row tiles", threading: .imagesInParallel,
            winogradMinimumChannels: 1, winogradMinimumTiles: 1, winogradTile: 2,
            winogradBudgetBytes: 4),
        ConvTuningSetting(
            name: "Winograd F2 grouped, parallel", threading: .imagesInParallel,
            winogradMinimumChannels: 1, winogradMinimumTiles: 1 << 20, winogradTile: 2,
            winogradBudgetBytes: 1 << 30),
        ConvTuningSetting(
            name: "Winograd F2 grouped, BLAS threads", threading: .blasThreads,
            winogradMinimumChannels: 1, winogradMinimumTiles: 1 << 20, winogradTile: 2,
            winogradBudgetBytes: 1 << 30),
        ConvTuningSetting(
            name: "Winograd F4 row tiles", threading: .imagesInParallel,
            winogradMinimumChannels: 1, winogradMinimumTiles: 1, winogradTile: 4,
            winogradBudgetBytes: 4),
        ConvTuningSetting(
            name: "Winograd F4 grouped, parallel", threading: .imagesInParallel,
            winogradMinimumChannels: 1, winogradMinimumTiles: 1 << 20, winogradTile: 4,
            winogradBudgetBytes: 1 << 30),
        ConvTuningSetting(
            name: "Winograd F4 grouped, BLAS threads", threading: .blasThreads,
            winogradMinimumChannels: 1, winogradMinimumTiles: 1 << 20, winogradTile: 4,
            winogradBudgetBytes: 1 << 30),
    ]

    func apply(_ body: () throws -> Void) rethrows {
        let saved = self.current()
        set(self)
        defer { set(saved) }
        try body()
    }

    private func current() -> ConvTuningSetting { ConvTuningSetting(name: "saved") }

    private func set(_ s: ConvTuningSetting) {
        ConvolutionTuning.threading = s.threading
        ConvolutionTuning.minimumColumns = s.minimumColumns
        ConvolutionTuning.columnBudgetBytes = s.columnBudgetBytes
        ConvolutionTuning.winogradMinimumChannels = s.winogradMinimumChannels
        ConvolutionTuning.winogradMinimumTiles = s.winogradMinimumTiles
        ConvolutionTuning.winogradTile = s.winogradTile
        ConvolutionTuning.winogradBudgetBytes = s.winogradBudgetBytes
        ComputeThreads.count = s.threads
    }
}
