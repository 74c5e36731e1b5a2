import CBLAS
import Foundation

/// The OpenBLAS library as loaded in this process: which kernels it uses, how it was built,
/// and how many threads it (and TensorCore's own Swift-side parallel loops) may use.
///
/// OpenBLAS chooses its kernels (`OPENBLAS_CORETYPE`) once, when the library loads; that
/// choice cannot be changed from here. The thread count can be changed at any time.
public enum BLASRuntime {
    /// The kernel family OpenBLAS selected, e.g. "Haswell", "Zen", "SkylakeX".
    public static var coreName: String {
        guard let name = openblas_get_corename() else { return "unknown" }
        return String(cString: name)
    }

    /// The build configuration string, e.g. "OpenBLAS 0.3.21 NO_LAPACKE DYNAMIC_ARCH … MAX_THREADS=64".
    public static var config: String {
        guard let text = openblas_get_config() else { return "unknown" }
        return String(cString: text).trimmingCharacters(in: .whitespaces)
    }

    /// The number of threads OpenBLAS uses for one call (OpenBLAS caps it at its build's MAX_THREADS).
    public static var threads: Int {
        get { Int(openblas_get_num_threads()) }
        set { openblas_set_num_threads(Int32(clamping: max(1, newValue))) }
    }

    /// The thread count that TensorCore's Swift-side parallel loops should use. It follows
    /// `configure(threads:)` so that BLAS and Swift loops share one setting; before any call it is
    /// the number of active processors.
    public static var configuredThreads: Int {
        threadSetting.withLock { $0 }
    }

    /// Sets one thread count for the whole process: OpenBLAS and TensorCore's Swift-side loops.
    /// Values below 1 are taken as 1.
    public static func configure(threads count: Int) {
        let count = max(1, count)
        threadSetting.withLock { $0 = count }
        threads = count
        // The convolutions, attention and element-wise loops run on TensorCore's own threads:
        // without this, `--threads 1` would leave them on every core.
        ComputeThreads.count = count
    }

    private static let threadSetting = LockedInt(ProcessInfo.processInfo.activeProcessorCount)
}

/// An integer behind a lock: the thread setting may be read from worker threads while the
/// main thread changes it.
private final class LockedInt: @unchecked Sendable {
    private var value: Int
    private let lock = NSLock()

    init(_ value: Int) { self.value = value }

    func withLock<R>(_ body: (inout Int) -> R) -> R {
        lock.lock()
        defer { lock.unlock() }
        return body(&value)
    }
}
