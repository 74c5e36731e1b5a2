import FileFormats
import Foundation
import FuzzSupport
import Pipeline

/// The HDF5 latent cache (`latents.h5`) as `LatentCache` opens a file someone else wrote: format
/// attributes, the shapes of the latents and codes, labels, splits and class names, then the
/// statistics, the first row's latents (with their augmentations) and codes as train-flow reads them.
private let scratch = ScratchFolder("latent-cache")

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzLatentCache(_ start: UnsafeRawPointer?, _ count: Int) -> CInt {
    scratch.empty()
    let file = scratch.write(fuzzInput(start, count), to: LatentCache.fileName)
    guard let cache = ReaderContract.check(naming: file.path, { try LatentCache(url: file) }) else { return 0 }
    ReaderContract.require(
        cache.labels.count == cache.count && cache.subsets.count == cache.count,
        "an opened latent cache has \(cache.count) rows, \(cache.labels.count) labels, \(cache.subsets.count) splits")
    for kind in LatentCache.Kind.allCases {
        _ = ReaderContract.check(naming: file.path) { try cache.statistics(kind) }
        if cache.count > 0 {
            _ = ReaderContract.check(naming: file.path) { try cache.latents(kind, rows: [0], variants: true) }
        }
    }
    if cache.count > 0 {
        _ = ReaderContract.check(naming: file.path) { try cache.codes(rows: [0]) }
    }
    return 0
}
