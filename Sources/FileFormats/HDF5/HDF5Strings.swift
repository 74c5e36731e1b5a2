import CHDF5
import Foundation

/// Reading and writing text in HDF5 objects (attributes and datasets). New text is stored as
/// variable-length UTF-8 strings, which h5py returns as `str` (attributes) or `bytes`
/// (datasets; `.asstr()` gives `str`). Reading also accepts fixed-length strings, which numpy
/// byte-string arrays produce.
enum HDF5Strings {
    /// A new variable-length UTF-8 string type; the caller closes it.
    static func variableLengthType() -> hid_t {
        let type = H5Tcopy(fmf_h5t_c_s1())
        guard type >= 0 else { return -1 }
        guard H5Tset_size(type, fmf_h5t_variable()) >= 0, H5Tset_cset(type, H5T_CSET_UTF8) >= 0 else {
            H5Tclose(type)
            return -1
        }
        return type
    }

    /// Calls `body` with C strings for `strings`, valid during the call.
    static func withCStrings<T>(_ strings: [String], _ body: ([UnsafePointer<CChar>?]) throws -> T) rethrows -> T {
        let copies = strings.map { strdup($0) }
        defer { copies.forEach { free($0) } }
        return try body(copies.map { UnsafePointer($0) })
    }

    /// Reads `count` strings stored with datatype `storedType` using `read(memoryType, buffer)`.
    /// `space` describes the stored elements (needed to free variable-length results).
    static func read(
        count: Int, storedType: hid_t, space: hid_t,
        _ read: (_ memoryType: hid_t, _ buffer: UnsafeMutableRawPointer) -> herr_t
    ) -> [String]? {
        if count == 0 { return [] }
        if H5Tis_variable_str(storedType) > 0 {
            let memoryType = H5Tcopy(fmf_h5t_c_s1())
            guard memoryType >= 0 else { return nil }
            defer { H5Tclose(memoryType) }
            guard H5Tset_size(memoryType, fmf_h5t_variable()) >= 0,
                H5Tset_cset(memoryType, H5Tget_cset(storedType)) >= 0
            else { return nil }
            var pointers = [UnsafeMutablePointer<CChar>?](repeating: nil, count: count)
            let status = pointers.withUnsafeMutableBytes { read(memoryType, $0.baseAddress!) }
            guard status >= 0 else { return nil }
            let strings = pointers.map {
                $0.map { String(decoding: UnsafeRawBufferPointer(start: $0, count: strlen($0)), as: UTF8.self) } ?? ""
            }
            _ = pointers.withUnsafeMutableBytes { fmf_h5_vlen_reclaim(memoryType, space, $0.baseAddress) }
            return strings
        }
        let size = H5Tget_size(storedType)
        guard size > 0 else { return nil }
        let memoryType = H5Tcopy(storedType)
        guard memoryType >= 0 else { return nil }
        defer { H5Tclose(memoryType) }
        var bytes = [UInt8](repeating: 0, count: count * size)
        let status = bytes.withUnsafeMutableBytes { read(memoryType, $0.baseAddress!) }
        guard status >= 0 else { return nil }
        let spacePadded = H5Tget_strpad(storedType) == H5T_STR_SPACEPAD
        return (0..<count).map { i in
            var field = bytes[(i * size)..<((i + 1) * size)]
            if let nul = field.firstIndex(of: 0) { field = field[..<nul] }
            if spacePadded { while field.last == 0x20 { field = field.dropLast() } }
            return String(decoding: field, as: UTF8.self)
        }
    }
}
