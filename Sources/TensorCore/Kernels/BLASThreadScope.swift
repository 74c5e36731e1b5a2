import CBLAS

/// Runs BLAS single-threaded for the duration of a block, then restores its thread count.
///
/// Kernels that split work over images with `parallelFor` and call BLAS from each worker must
/// do it inside this scope: otherwise each call would also fan out over all cores and the two
/// levels of threads would fight for the same two cores.
enum BLASThreadScope {
    static func singleThreaded<R>(_ body: () -> R) -> R {
        let saved = Int(openblas_get_num_threads())
        if saved == 1 { return body() }
        openblas_set_num_threads(1)
        defer { openblas_set_num_threads(Int32(saved)) }
        return body()
    }
}
