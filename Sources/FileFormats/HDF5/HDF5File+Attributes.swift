import CHDF5

extension HDF5File {
    /// Sets (or replaces) a string attribute on the file root ("/"), a group or a dataset.
    public func setAttribute(_ name: String, _ value: String, on object: String = "/") throws {
        let absolute = HDF5Path.absolute(object)
        try requireWritable(absolute)
        guard !value.utf8.contains(0), !name.isEmpty, !name.utf8.contains(0) else {
            throw FileFormatError(
                .malformed, path: path, "object '\(absolute)': attribute name and value may not contain NUL")
        }
        try withObject(absolute) { objectID in
            let exists = H5Aexists(objectID, name)
            guard exists >= 0 else {
                throw HDF5Library.error(file: path, object: absolute, "cannot check attribute '\(name)'")
            }
            if exists > 0, H5Adelete(objectID, name) < 0 {
                throw HDF5Library.error(
                    .writeFailed, file: path, object: absolute, "cannot replace attribute '\(name)'")
            }
            let type = HDF5Strings.variableLengthType()
            guard type >= 0 else {
                throw HDF5Library.error(.writeFailed, file: path, object: absolute, "cannot create string type")
            }
            defer { H5Tclose(type) }
            let space = H5Screate(H5S_SCALAR)
            guard space >= 0 else {
                throw HDF5Library.error(.writeFailed, file: path, object: absolute, "cannot create dataspace")
            }
            defer { H5Sclose(space) }
            let attribute = H5Acreate2(objectID, name, type, space, fmf_h5p_default(), fmf_h5p_default())
            guard attribute >= 0 else {
                throw HDF5Library.error(.writeFailed, file: path, object: absolute, "cannot create attribute '\(name)'")
            }
            defer { H5Aclose(attribute) }
            let status = HDF5Strings.withCStrings([value]) { pointers in
                pointers.withUnsafeBufferPointer { H5Awrite(attribute, type, $0.baseAddress) }
            }
            guard status >= 0 else {
                throw HDF5Library.error(.writeFailed, file: path, object: absolute, "cannot write attribute '\(name)'")
            }
        }
    }

    /// A string attribute's value, or nil if the object has no attribute of that name.
    public func attribute(_ name: String, on object: String = "/") throws -> String? {
        let absolute = HDF5Path.absolute(object)
        return try withObject(absolute) { objectID -> String? in
            let exists = H5Aexists(objectID, name)
            guard exists >= 0 else {
                throw HDF5Library.error(file: path, object: absolute, "cannot check attribute '\(name)'")
            }
            if exists == 0 { return nil }
            let attribute = H5Aopen(objectID, name, fmf_h5p_default())
            guard attribute >= 0 else {
                throw HDF5Library.error(file: path, object: absolute, "cannot open attribute '\(name)'")
            }
            defer { H5Aclose(attribute) }
            let type = H5Aget_type(attribute)
            guard type >= 0 else { throw HDF5Library.error(file: path, object: absolute, "cannot read attribute type") }
            defer { H5Tclose(type) }
            guard H5Tget_class(type) == H5T_STRING else {
                throw FileFormatError(
                    .unsupported, path: path,
                    "object '\(absolute)': attribute '\(name)' is a \(HDF5ElementType.describe(type)), not a string")
            }
            // A fixed-length string's bytes lie in the object header (or the attribute heap), so
            // in the file: a longer one is a forged size, read into that much memory otherwise.
            if let readOnlyBytes, H5Tis_variable_str(type) <= 0, H5Tget_size(type) > readOnlyBytes {
                throw FileFormatError(
                    .malformed, path: path,
                    "object '\(absolute)': attribute '\(name)' declares a "
                        + "\(H5Tget_size(type))-byte string, more than the \(readOnlyBytes)-byte file holds")
            }
            let space = H5Aget_space(attribute)
            guard space >= 0 else {
                throw HDF5Library.error(file: path, object: absolute, "cannot read attribute dataspace")
            }
            defer { H5Sclose(space) }
            guard H5Sget_simple_extent_npoints(space) == 1 else {
                throw FileFormatError(
                    .unsupported, path: path, "object '\(absolute)': attribute '\(name)' is not a single string")
            }
            guard
                let values = HDF5Strings.read(count: 1, storedType: type, space: space, { H5Aread(attribute, $0, $1) })
            else {
                throw HDF5Library.error(file: path, object: absolute, "cannot read attribute '\(name)'")
            }
            return values[0]
        }
    }

    /// Names of all attributes of an object, in name order.
    public func attributeNames(on object: String = "/") throws -> [String] {
        let absolute = HDF5Path.absolute(object)
        final class Names { var list: [String] = [] }
        let names = Names()
        let collect: H5A_operator2_t = { _, name, _, context in
            guard let name, let context else { return 0 }
            Unmanaged<Names>.fromOpaque(context).takeUnretainedValue().list.append(String(cString: name))
            return 0
        }
        try withObject(absolute) { objectID in
            var index: hsize_t = 0
            let status = withExtendedLifetime(names) {
                H5Aiterate2(
                    objectID, H5_INDEX_NAME, H5_ITER_INC, &index, collect, Unmanaged.passUnretained(names).toOpaque())
            }
            guard status >= 0 else { throw HDF5Library.error(file: path, object: absolute, "cannot list attributes") }
        }
        return names.list
    }

    /// Opens any object by path (the root included) for the duration of `body`.
    func withObject<T>(_ absolute: String, _ body: (hid_t) throws -> T) throws -> T {
        try withFile { id in
            guard try linkExists(id, absolute) else {
                throw FileFormatError(.notFound, path: path, "object '\(absolute)' does not exist")
            }
            let object = H5Oopen(id, absolute, fmf_h5p_default())
            guard object >= 0 else { throw HDF5Library.error(file: path, object: absolute, "cannot open") }
            defer { H5Oclose(object) }
            return try body(object)
        }
    }
}
