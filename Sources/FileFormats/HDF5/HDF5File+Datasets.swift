import CHDF5
import Foundation

extension HDF5File {
    /// Creates a dataset (and missing parent groups). `chunk` sets the chunk shape (same rank as
    /// `shape`); `gzip` (0…9) compresses chunks, with the shuffle filter in front so that bytes of
    /// similar significance sit together. If `gzip` is given without `chunk`, chunks of whole
    /// rows of about 1 MiB are used.
    @discardableResult
    public func createDataset(
        _ path: String, type: HDF5ElementType, shape: [Int],
        chunk: [Int]? = nil, gzip: Int? = nil
    ) throws -> HDF5Dataset {
        let absolute = HDF5Path.absolute(path)
        try requireWritable(absolute)
        func invalid(_ message: String) -> FileFormatError {
            FileFormatError(.malformed, path: self.path, "dataset '\(absolute)': \(message)")
        }
        guard HDF5Path.isValidNewName(absolute) else { throw invalid("invalid path") }
        guard type != .string else { throw invalid("use writeStrings(_:to:) for string datasets") }
        guard shape.allSatisfy({ $0 >= 0 }), ShapeMath.elementCount(shape) != nil else {
            throw invalid("invalid shape \(shape)")
        }
        if let gzip, !(0...9).contains(gzip) { throw invalid("gzip level \(gzip) is outside 0…9") }
        var chunkShape = chunk
        if chunkShape == nil, gzip != nil { chunkShape = Self.defaultChunk(shape: shape, byteSize: type.byteSize) }
        if let c = chunkShape {
            guard !shape.isEmpty else { throw invalid("a scalar dataset cannot be chunked") }
            guard c.count == shape.count else { throw invalid("chunk \(c) has a different rank from shape \(shape)") }
            guard zip(c, shape).allSatisfy({ $0.0 >= 1 && $0.0 <= max(1, $0.1) }) else {
                throw invalid("chunk \(c) must be at least 1 and at most the shape \(shape) in every dimension")
            }
        }

        return try withFile { id in
            if try linkExists(id, absolute) { throw invalid("already exists") }
            let space =
                shape.isEmpty
                ? H5Screate(H5S_SCALAR)
                : H5Screate_simple(Int32(shape.count), shape.map { hsize_t($0) }, nil)
            guard space >= 0 else {
                throw HDF5Library.error(.writeFailed, file: self.path, object: absolute, "cannot create dataspace")
            }
            defer { H5Sclose(space) }
            let dcpl = H5Pcreate(fmf_h5p_dataset_create())
            guard dcpl >= 0, H5Pset_obj_track_times(dcpl, false) >= 0 else {
                throw HDF5Library.error(.writeFailed, file: self.path, object: absolute, "cannot create property list")
            }
            defer { H5Pclose(dcpl) }
            if let c = chunkShape {
                // HDF5 refuses chunk dimensions larger than a fixed dimension, including zero-length ones.
                var ok = H5Pset_chunk(dcpl, Int32(c.count), c.map { hsize_t($0) }) >= 0
                if let gzip, ok {
                    guard H5Zfilter_avail(H5Z_FILTER_DEFLATE) > 0 else {
                        throw FileFormatError(
                            .unsupported, path: self.path, "this libhdf5 has no gzip (deflate) filter")
                    }
                    ok = H5Pset_shuffle(dcpl) >= 0 && H5Pset_deflate(dcpl, UInt32(gzip)) >= 0
                }
                guard ok else {
                    throw HDF5Library.error(
                        .writeFailed, file: self.path, object: absolute, "cannot set chunking/compression")
                }
            }
            let lcpl = try intermediateGroupsList(absolute)
            defer { H5Pclose(lcpl) }
            let dataset = H5Dcreate2(id, absolute, type.fileType, space, lcpl, dcpl, fmf_h5p_default())
            guard dataset >= 0 else {
                throw HDF5Library.error(.writeFailed, file: self.path, object: absolute, "cannot create dataset")
            }
            H5Dclose(dataset)
            return HDF5Dataset(file: self, path: absolute, shape: shape, elementType: type)
        }
    }

    /// About 1 MiB of whole rows per chunk (at least one row), full extent in other dimensions.
    static func defaultChunk(shape: [Int], byteSize: Int) -> [Int] {
        guard let first = shape.first else { return [] }
        let rowBytes = max(1, shape.dropFirst().reduce(byteSize, *))
        let rows = max(1, min(max(1, first), (1 << 20) / rowBytes))
        return [rows] + shape.dropFirst().map { max(1, $0) }
    }

    /// Opens an existing numeric or string dataset, reading its shape and element type.
    public func dataset(_ path: String) throws -> HDF5Dataset {
        let absolute = HDF5Path.absolute(path)
        return try withFile { id in
            guard try linkExists(id, absolute) else {
                throw FileFormatError(.notFound, path: self.path, "dataset '\(absolute)' does not exist")
            }
            let dataset = H5Dopen2(id, absolute, fmf_h5p_default())
            guard dataset >= 0 else {
                throw HDF5Library.error(file: self.path, object: absolute, "cannot open as a dataset")
            }
            defer { H5Dclose(dataset) }
            let shape = try HDF5Dataset.readShape(dataset, file: self.path, object: absolute)
            let type = H5Dget_type(dataset)
            guard type >= 0 else { throw HDF5Library.error(file: self.path, object: absolute, "cannot read datatype") }
            defer { H5Tclose(type) }
            guard let element = HDF5ElementType.classify(type) else {
                throw FileFormatError(
                    .unsupported, path: self.path,
                    "dataset '\(absolute)' has element type \(HDF5ElementType.describe(type)), which is not supported")
            }
            // Before any caller allocates from the shape: checked here once, not at each read.
            try checkReadBound(
                elements: ShapeMath.elementCount(shape) ?? Int.max, dataset: dataset, type: type, object: absolute)
            return HDF5Dataset(file: self, path: absolute, shape: shape, elementType: element)
        }
    }
}
