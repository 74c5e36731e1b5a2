import Datasets
import FileFormats
import Foundation
import FuzzSupport

/// MAT v5 files: `MATFile.decode` on the bytes, then the same bytes as both `imagelabels.mat` and
/// `setid.mat` of an Oxford Flowers 102 folder (with no photos), as `pipeline prepare` reads them:
/// vectors of whole numbers, labels in 1…102, split lists within the labels.
private let scratch = ScratchFolder("mat")

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzMAT(_ start: UnsafeRawPointer?, _ count: Int) -> CInt {
    let data = fuzzInput(start, count)
    let name = "fuzz-input.mat"
    guard let variables = ReaderContract.check(naming: name, { try MATFile.decode(data, path: name) }) else { return 0 }
    for (variable, array) in variables {
        let expected = array.dims.reduce(1, *)
        ReaderContract.require(
            array.values.count == expected, "variable \(variable) of \(array.dims) holds \(array.values.count) values")
    }
    scratch.empty()
    _ = scratch.write(data, to: "oxford/\(OxfordFlowers102.labelsFile)")
    _ = scratch.write(data, to: "oxford/\(OxfordFlowers102.splitsFile)")
    let root = scratch.folder("oxford")
    _ = scratch.folder("oxford/\(OxfordFlowers102.imageFolder)")
    _ = ReaderContract.check(naming: root.path) { try OxfordFlowers102.catalog(root: root, allowMissingImages: true) }
    return 0
}
