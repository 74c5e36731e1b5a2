import CHDF5
import Foundation

/// A dataset in an open `HDF5File`: its shape and element type, and whole or row-range I/O.
/// Rows are slices along the first dimension, so a training loop can read one batch of
/// samples without loading the file.
public final class HDF5Dataset: @unchecked Sendable {
    public let file: HDF5File
    /// Absolute path inside the file, e.g. "/images".
    public let path: String
    public let shape: [Int]
    public let elementType: HDF5ElementType

    init(file: HDF5File, path: String, shape: [Int], elementType: HDF5ElementType) {
        self.file = file
        self.path = path
        self.shape = shape
        self.elementType = elementType
    }

    /// Number of rows (the first dimension); 1 for a scalar dataset.
    public var rowCount: Int { shape.first ?? 1 }
    /// Elements in one row (the product of the other dimensions).
    public var elementsPerRow: Int { shape.dropFirst().reduce(1, *) }
    public var elementCount: Int { shape.reduce(1, *) }

    // MARK: Writing

    /// Writes the whole dataset (`rows == nil`) or the given rows. The Swift type must match the
    /// dataset's element type exactly: silent narrowing on write would corrupt data.
    public func write<T: HDF5Scalar>(_ values: [T], rows: Range<Int>? = nil) throws {
        try values.withUnsafeBufferPointer { try write($0, rows: rows) }
    }

    public func write<T: HDF5Scalar>(_ values: UnsafeBufferPointer<T>, rows: Range<Int>? = nil) throws {
        try file.requireWritable(path)
        guard T.hdf5ElementType == elementType else {
            throw failure(.malformed, "cannot write \(T.self) values to a \(elementType.rawValue) dataset")
        }
        let count = try expectedCount(rows: rows)
        guard values.count == count else {
            throw failure(.malformed, "\(values.count) values given for \(describe(rows)) holding \(count)")
        }
        if count == 0 { return }
        try transfer(rows: rows, memoryType: T.hdf5ElementType.memoryType, action: "write") {
            dataset, memory, fileSpace in
            H5Dwrite(dataset, T.hdf5ElementType.memoryType, memory, fileSpace, fmf_h5p_default(), values.baseAddress)
        }
    }

    // MARK: Reading

    /// Reads the whole dataset or the given rows, converting numeric types as HDF5 does
    /// (e.g. a uint8 image cache can be read directly as Float).
    public func read<T: HDF5Scalar>(_ type: T.Type = T.self, rows: Range<Int>? = nil) throws -> [T] {
        let count = try expectedCount(rows: rows)
        return try [T](unsafeUninitializedCapacity: count) { buffer, initialized in
            try read(into: UnsafeMutableBufferPointer(rebasing: buffer[0..<count]), rows: rows)
            initialized = count
        }
    }

    /// Reads into caller-owned memory (e.g. a tensor's storage) without an intermediate array.
    public func read<T: HDF5Scalar>(into buffer: UnsafeMutableBufferPointer<T>, rows: Range<Int>? = nil) throws {
        guard elementType != .string else { throw failure(.unsupported, "is a string dataset; use readStrings") }
        let count = try expectedCount(rows: rows)
        guard buffer.count == count else {
            throw failure(.malformed, "buffer of \(buffer.count) elements for \(describe(rows)) holding \(count)")
        }
        if count == 0 { return }
        try transfer(rows: rows, memoryType: T.hdf5ElementType.memoryType, action: "read") {
            dataset, memory, fileSpace in
            H5Dread(dataset, T.hdf5ElementType.memoryType, memory, fileSpace, fmf_h5p_default(), buffer.baseAddress)
        }
    }

    // MARK: Attributes

    public func setAttribute(_ name: String, _ value: String) throws {
        try file.setAttribute(name, value, on: path)
    }

    public func attribute(_ name: String) throws -> String? {
        try file.attribute(name, on: path)
    }

    // MARK: Internals

    private func describe(_ rows: Range<Int>?) -> String {
        rows.map { "rows \($0.lowerBound)..<\($0.upperBound)" } ?? "the whole dataset"
    }

    private func failure(_ kind: FileFormatError.Kind, _ message: String) -> FileFormatError {
        FileFormatError(kind, path: file.path, "dataset '\(path)': \(message)")
    }

    /// Elements covered by `rows`, after checking the range lies inside the dataset.
    private func expectedCount(rows: Range<Int>?) throws -> Int {
        guard let rows else { return elementCount }
        guard !shape.isEmpty else { throw failure(.malformed, "a scalar dataset has no rows") }
        guard rows.lowerBound >= 0, rows.upperBound <= shape[0] else {
            throw failure(.malformed, "rows \(rows.lowerBound)..<\(rows.upperBound) are outside 0..<\(shape[0])")
        }
        return rows.count * elementsPerRow
    }

    /// Opens the dataset, selects the rows (a hyperslab along the first dimension) and runs `io`.
    private func transfer(
        rows: Range<Int>?, memoryType: hid_t, action: String,
        _ io: (_ dataset: hid_t, _ memorySpace: hid_t, _ fileSpace: hid_t) -> herr_t
    ) throws {
        try file.withFile { id in
            let dataset = H5Dopen2(id, path, fmf_h5p_default())
            guard dataset >= 0 else { throw HDF5Library.error(file: file.path, object: path, "cannot open dataset") }
            defer { H5Dclose(dataset) }
            guard let rows else {
                if io(dataset, fmf_h5s_all(), fmf_h5s_all()) < 0 {
                    throw HDF5Library.error(
                        action == "write" ? .writeFailed : .malformed, file: file.path, object: path,
                        "cannot \(action) data")
                }
                return
            }
            let fileSpace = H5Dget_space(dataset)
            guard fileSpace >= 0 else {
                throw HDF5Library.error(file: file.path, object: path, "cannot read dataspace")
            }
            defer { H5Sclose(fileSpace) }
            var start = [hsize_t](repeating: 0, count: shape.count)
            start[0] = hsize_t(rows.lowerBound)
            var count = shape.map { hsize_t($0) }
            count[0] = hsize_t(rows.count)
            guard H5Sselect_hyperslab(fileSpace, H5S_SELECT_SET, start, nil, count, nil) >= 0 else {
                throw HDF5Library.error(file: file.path, object: path, "cannot select rows \(rows)")
            }
            let memorySpace = H5Screate_simple(Int32(count.count), count, nil)
            guard memorySpace >= 0 else {
                throw HDF5Library.error(file: file.path, object: path, "cannot create memory dataspace")
            }
            defer { H5Sclose(memorySpace) }
            if io(dataset, memorySpace, fileSpace) < 0 {
                throw HDF5Library.error(
                    action == "write" ? .writeFailed : .malformed, file: file.path, object: path,
                    "cannot \(action) rows \(rows.lowerBound)..<\(rows.upperBound)")
            }
        }
    }

    /// The dimensions of an open dataset (empty for a scalar), checked to fit in Int.
    static func readShape(_ dataset: hid_t, file: String, object: String) throws -> [Int] {
        let space = H5Dget_space(dataset)
        guard space >= 0 else { throw HDF5Library.error(file: file, object: object, "cannot read dataspace") }
        defer { H5Sclose(space) }
        let rank = H5Sget_simple_extent_ndims(space)
        guard rank >= 0 else { throw HDF5Library.error(file: file, object: object, "cannot read rank") }
        if rank == 0 { return [] }
        var dims = [hsize_t](repeating: 0, count: Int(rank))
        guard H5Sget_simple_extent_dims(space, &dims, nil) >= 0 else {
            throw HDF5Library.error(file: file, object: object, "cannot read dimensions")
        }
        let shape = dims.map { Int(clamping: $0) }
        guard ShapeMath.elementCount(shape) != nil else {
            throw FileFormatError(.unsupported, path: file, "dataset '\(object)': shape \(dims) is too large")
        }
        return shape
    }
}
