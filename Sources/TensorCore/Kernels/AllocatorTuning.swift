#if canImport(Glibc)
    import Glibc
#endif

/// Process-wide tuning of the C allocator for a training loop.
///
/// Every op allocates its output afresh, and a training step frees and re-allocates the same
/// large activation and gradient buffers over and over. By default glibc serves big blocks with
/// fresh `mmap`s (or trims the heap when they are freed), so every step pays a page fault per
/// 4 KiB on first touch — measured at about half the time of a group-norm backward on
/// [16, 128, 32, 32]. Keeping freed memory in the heap lets the next step reuse it warm.
public enum AllocatorTuning {
    /// Serve every block from the heap and never give freed memory back to the system.
    /// Call once at start-up (a long-running trainer or benchmark); returns false where the
    /// allocator offers no such control (not glibc).
    @discardableResult
    public static func keepFreedMemoryForReuse() -> Bool {
        #if canImport(Glibc)
            // `mallopt` is not exported by Swift's Glibc module; look it up at run time.
            guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "mallopt") else { return false }
            typealias MallOpt = @convention(c) (Int32, Int32) -> Int32
            let mallopt = unsafeBitCast(symbol, to: MallOpt.self)
            // Constants from <malloc.h>: M_TRIM_THRESHOLD = −1, M_MMAP_MAX = −4.
            let trim = mallopt(-1, Int32.max)
            let mmap = mallopt(-4, 0)
            return trim == 1 && mmap == 1
        #else
            return false
        #endif
    }
}
