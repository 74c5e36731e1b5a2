import Datasets
import FileFormats
import Foundation
import FuzzSupport

/// The HDF5 dataset cache (`images.h5`) as `DatasetCache.open` reads a file someone else wrote:
/// attributes, shapes, labels, splits and names, then the first and last images. libhdf5 only
/// reads from a path, so each input is written to a file first.
private let scratch = ScratchFolder("dataset-cache")

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzDatasetCache(_ start: UnsafeRawPointer?, _ count: Int) -> CInt {
    scratch.empty()
    let file = scratch.write(fuzzInput(start, count), to: "cache/\(DatasetCacheLayout.imagesFile)")
    guard
        let cache = ReaderContract.check(naming: file.path, { try DatasetCache.open(file.deletingLastPathComponent()) })
    else {
        return 0
    }
    ReaderContract.require(
        cache.subsets.count == cache.count && cache.files.count == cache.count,
        "an opened cache has \(cache.count) labels, \(cache.subsets.count) splits, \(cache.files.count) names")
    if cache.count > 0 {
        for row in Set([0, cache.count - 1]) {
            if let image = ReaderContract.check(naming: file.path, { try cache.image(row: row) }) {
                ReaderContract.require(
                    image.pixels.count == cache.bytesPerImage, "row \(row) has \(image.pixels.count) bytes")
            }
        }
    }
    return 0
}
