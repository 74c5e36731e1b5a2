import CHDF5
import Foundation

/// The most bytes a dataset in a file opened for reading can legitimately hold, derived from the
/// file itself, so that a header claiming 2^32 labels or 2^40 file names in a file of a few KiB is
/// an error naming the file and dataset instead of a 32 GiB or 8 TiB allocation (libhdf5 reads a
/// dataset's declared extent without checking it against anything; the fuzzer found such files).
///
/// The rule, by storage layout:
/// - contiguous or compact, or chunked without filters: every stored byte lies in the file, and
///   a chunked dataset's chunks cover all its elements, so the data is at most the file's size on disk;
/// - chunked with filters: the chunks decode to at most (allocated chunks × bytes of one chunk);
///   when every filter's greatest expansion is known (deflate at most 1032:1 — its longest match,
///   258 bytes, coded in 2 bits as the shortest possible length and distance codes; shuffle and
///   Fletcher-32 none), also at most the file's size × that expansion;
/// - data kept in other files (external storage, virtual datasets) is refused: no bound can be
///   derived from this file, and a file we did not write should not make us read others.
///
/// A dataset declared larger than its data — with unwritten fill-value regions — is valid HDF5 but
/// never one of the project's files (its writers write every element), so it is refused too.
/// Files open for writing are the process's own, being written, and are not checked.
enum HDF5ReadBound {
    /// Deflate's greatest expansion ratio (zlib's technical notes: 1032:1).
    static let deflateExpansion = 1032
    /// A variable-length string is stored in the dataset as a global-heap reference of 16 bytes
    /// (length, heap collection address, object index).
    static let variableLengthStringBytes = 16

    /// Throws unless `elements` elements of `elementBytes` bytes each fit within the bound of the
    /// open dataset `dataset` in a file of `fileBytes` bytes.
    static func check(
        elements: Int, elementBytes: Int, dataset: hid_t, fileBytes: Int,
        file: String, object: String
    ) throws {
        let declared = elements.multipliedReportingOverflow(by: max(1, elementBytes))
        let bound = try bytes(dataset: dataset, fileBytes: fileBytes, file: file, object: object)
        if declared.overflow || declared.partialValue > bound {
            let size = declared.overflow ? "more than \(Int.max)" : "\(declared.partialValue)"
            throw FileFormatError(
                .malformed, path: file,
                "dataset '\(object)' declares \(elements) elements (\(size) bytes), more than the "
                    + "\(fileBytes)-byte file can hold (at most \(bound) bytes): a corrupt or forged header")
        }
    }

    /// The bound for one open dataset, by the rule above.
    static func bytes(dataset: hid_t, fileBytes: Int, file: String, object: String) throws -> Int {
        let plist = H5Dget_create_plist(dataset)
        guard plist >= 0 else {
            throw HDF5Library.error(file: file, object: object, "cannot read its creation properties")
        }
        defer { H5Pclose(plist) }
        let layout = H5Pget_layout(plist)
        guard layout != H5D_VIRTUAL, H5Pget_external_count(plist) == 0 else {
            throw FileFormatError(
                .unsupported, path: file,
                "dataset '\(object)' keeps its data in other files (external or virtual storage)")
        }
        guard layout == H5D_CHUNKED else { return fileBytes }
        let filters = H5Pget_nfilters(plist)
        guard filters >= 0 else { throw HDF5Library.error(file: file, object: object, "cannot read its filters") }
        if filters == 0 { return fileBytes }

        var expansion: Int? = 1
        for index in 0..<UInt32(filters) {
            var flags: UInt32 = 0, valueCount = 0, config: UInt32 = 0
            var name = [CChar](repeating: 0, count: 64)
            let filter = H5Pget_filter2(plist, index, &flags, &valueCount, nil, name.count, &name, &config)
            switch filter {
            case H5Z_FILTER_DEFLATE: expansion = expansion.map { $0 * deflateExpansion }
            case H5Z_FILTER_SHUFFLE, H5Z_FILTER_FLETCHER32: break
            default: expansion = nil
            }
        }
        let chunks = try decodedChunkBytes(dataset: dataset, plist: plist, file: file, object: object)
        guard let expansion else { return chunks }
        let compressed = fileBytes.multipliedReportingOverflow(by: expansion)
        return min(chunks, compressed.overflow ? Int.max : compressed.partialValue)
    }

    /// Allocated chunks × the bytes one chunk decodes to.
    private static func decodedChunkBytes(dataset: hid_t, plist: hid_t, file: String, object: String) throws -> Int {
        var dims = [hsize_t](repeating: 0, count: 32)  // H5S_MAX_RANK
        let rank = H5Pget_chunk(plist, Int32(dims.count), &dims)
        let type = H5Dget_type(dataset)
        guard rank > 0, type >= 0 else {
            if type >= 0 { H5Tclose(type) }
            throw HDF5Library.error(file: file, object: object, "cannot read its chunk shape")
        }
        let elementBytes = H5Tget_size(type)
        H5Tclose(type)
        // libhdf5 1.10 wants the dataset's dataspace here (H5S_ALL is refused).
        let space = H5Dget_space(dataset)
        guard space >= 0 else { throw HDF5Library.error(file: file, object: object, "cannot read dataspace") }
        defer { H5Sclose(space) }
        var chunkCount: hsize_t = 0
        guard H5Dget_num_chunks(dataset, space, &chunkCount) >= 0 else {
            throw HDF5Library.error(file: file, object: object, "cannot count its chunks")
        }
        var total = Int(clamping: chunkCount)
        for factor in dims.prefix(Int(rank)).map({ Int(clamping: $0) }) + [elementBytes] {
            let product = total.multipliedReportingOverflow(by: factor)
            if product.overflow { return Int.max }
            total = product.partialValue
        }
        return total
    }
}
