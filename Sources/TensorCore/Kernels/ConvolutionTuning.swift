/// Knobs of the convolution kernels, public so that benchmarks can compare settings.
/// The defaults are the fastest measured on the reference 2-core machine.
public enum ConvolutionTuning {
    /// How the work of one convolution is spread over the cores.
    public enum Threading: Sendable {
        /// Blocks in parallel whenever there are at least two (measured faster than BLAS threads
        /// on every reference shape), else one block with BLAS threads.
        case automatic
        /// Blocks of images in parallel on the compute threads, BLAS single-threaded inside each.
        case imagesInParallel
        /// One block after another, each GEMM multithreaded by BLAS.
        case blasThreads
    }

    nonisolated(unsafe) public static var threading: Threading = .automatic
    /// Images whose output is smaller than this many pixels are put side by side in one GEMM,
    /// because BLAS is slow on thin matrices.
    nonisolated(unsafe) public static var minimumColumns = 256
    /// Upper bound on the bytes of one block's column matrix: larger outputs are tiled by rows so
    /// the unrolled patches are still in cache when the GEMM reads them.
    nonisolated(unsafe) public static var columnBudgetBytes = 2 << 20
    /// 3×3 stride-1 convolutions with at least this many input channels use Winograd for the
    /// forward pass and both gradients; 0 turns Winograd off.
    nonisolated(unsafe) public static var winogradMinimumChannels = 8
    /// Winograd blocks of small images put images side by side until they cover this many 2×2
    /// tiles' worth of output (a quarter as many 4×4 tiles).
    nonisolated(unsafe) public static var winogradMinimumTiles = 64
    /// Whether those convolutions also take their weight gradient through Winograd (else im2col).
    nonisolated(unsafe) public static var winogradWeightGradient = true
    /// Output tile of the Winograd kernels: 4 for F(4×4, 3×3) (4× fewer multiplications than
    /// im2col), 2 for F(2×2, 3×3) (2.25×), 0 to choose per shape: F(4×4) pays off on outputs of
    /// at least 8×8 with moderate channel counts; on tiny outputs its 6×6 patches are mostly
    /// padding, and with many channels its 36 transformed weight matrices no longer stay in cache.
    nonisolated(unsafe) public static var winogradTile = 0
    /// Upper bound on the bytes of one Winograd block's transformed input (blocks of large images
    /// are cut by tile rows to stay below).
    nonisolated(unsafe) public static var winogradBudgetBytes = 1 << 20
}
