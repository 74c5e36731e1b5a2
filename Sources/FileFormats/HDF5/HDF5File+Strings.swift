import CHDF5

extension HDF5File {
    /// Writes a one-dimensional dataset of variable-length UTF-8 strings (file names, class names).
    public func writeStrings(_ strings: [String], to path: String) throws {
        let absolute = HDF5Path.absolute(path)
        try requireWritable(absolute)
        guard HDF5Path.isValidNewName(absolute) else {
            throw FileFormatError(.malformed, path: self.path, "dataset '\(absolute)': invalid path")
        }
        if let bad = strings.firstIndex(where: { $0.utf8.contains(0) }) {
            throw FileFormatError(.malformed, path: self.path, "dataset '\(absolute)': string \(bad) contains NUL")
        }
        try withFile { id in
            if try linkExists(id, absolute) {
                throw FileFormatError(.malformed, path: self.path, "dataset '\(absolute)': already exists")
            }
            let type = HDF5Strings.variableLengthType()
            guard type >= 0 else {
                throw HDF5Library.error(.writeFailed, file: self.path, object: absolute, "cannot create string type")
            }
            defer { H5Tclose(type) }
            let space = H5Screate_simple(1, [hsize_t(strings.count)], nil)
            guard space >= 0 else {
                throw HDF5Library.error(.writeFailed, file: self.path, object: absolute, "cannot create dataspace")
            }
            defer { H5Sclose(space) }
            let lcpl = try intermediateGroupsList(absolute)
            defer { H5Pclose(lcpl) }
            let dcpl = try HDF5File.untimedCreationList(fmf_h5p_dataset_create(), file: self.path, object: absolute)
            defer { H5Pclose(dcpl) }
            let dataset = H5Dcreate2(id, absolute, type, space, lcpl, dcpl, fmf_h5p_default())
            guard dataset >= 0 else {
                throw HDF5Library.error(.writeFailed, file: self.path, object: absolute, "cannot create dataset")
            }
            defer { H5Dclose(dataset) }
            if strings.isEmpty { return }
            let status = HDF5Strings.withCStrings(strings) { pointers in
                pointers.withUnsafeBufferPointer {
                    H5Dwrite(dataset, type, fmf_h5s_all(), fmf_h5s_all(), fmf_h5p_default(), $0.baseAddress)
                }
            }
            guard status >= 0 else {
                throw HDF5Library.error(.writeFailed, file: self.path, object: absolute, "cannot write strings")
            }
        }
    }

    /// Reads a dataset of strings (variable- or fixed-length), flattened in row-major order.
    public func readStrings(_ path: String) throws -> [String] {
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
            let type = H5Dget_type(dataset)
            guard type >= 0 else { throw HDF5Library.error(file: self.path, object: absolute, "cannot read datatype") }
            defer { H5Tclose(type) }
            guard H5Tget_class(type) == H5T_STRING else {
                throw FileFormatError(
                    .unsupported, path: self.path,
                    "dataset '\(absolute)' holds \(HDF5ElementType.describe(type)), not strings")
            }
            let space = H5Dget_space(dataset)
            guard space >= 0 else {
                throw HDF5Library.error(file: self.path, object: absolute, "cannot read dataspace")
            }
            defer { H5Sclose(space) }
            let count = Int(H5Sget_simple_extent_npoints(space))
            guard count >= 0 else {
                throw HDF5Library.error(file: self.path, object: absolute, "cannot count elements")
            }
            try checkReadBound(elements: count, dataset: dataset, type: type, object: absolute)
            guard
                let strings = HDF5Strings.read(
                    count: count, storedType: type, space: space,
                    {
                        H5Dread(dataset, $0, fmf_h5s_all(), fmf_h5s_all(), fmf_h5p_default(), $1)
                    })
            else {
                throw HDF5Library.error(file: self.path, object: absolute, "cannot read strings")
            }
            return strings
        }
    }
}
