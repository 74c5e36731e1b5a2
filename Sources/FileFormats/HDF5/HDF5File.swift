import CHDF5
import Foundation

/// An HDF5 file opened for reading or writing. Every call holds `HDF5Library`'s global lock, so
/// instances may be shared between threads.
///
/// New files are written atomically: `create(at:)` writes to a temporary file next to the final
/// path, and only `commit()` closes it and renames it into place. Closing (or dropping) an
/// uncommitted new file deletes the temporary file, so an interrupted writer never leaves a
/// partial file at the final path. Files opened with `.readWrite` are modified in place.
///
/// Errors are `FileFormatError`s naming the file, the object and HDF5's own explanation.
public final class HDF5File: @unchecked Sendable {
    public enum Mode: Sendable { case readOnly, readWrite }

    /// The file's final path (for a new file, where `commit()` will put it).
    public let url: URL
    public let mode: Mode
    /// The HDF5 file id, or -1 once closed, and the temporary file of a new file.
    /// Both are only touched under the library lock.
    private var fileID: hid_t
    private var pending: PendingFile?
    /// The file's size on disk when it was opened for reading: what bounds the data its datasets
    /// may claim (`HDF5ReadBound`). Nil for a file open for writing, which is the process's own.
    let readOnlyBytes: Int?

    var path: String { url.path }

    private init(url: URL, mode: Mode, fileID: hid_t, pending: PendingFile?, readOnlyBytes: Int? = nil) {
        self.url = url
        self.mode = mode
        self.fileID = fileID
        self.pending = pending
        self.readOnlyBytes = readOnlyBytes
    }

    /// Starts a new file that will appear at `url` on `commit()`, replacing any file there.
    public static func create(at url: URL) throws -> HDF5File {
        let pending = try PendingFile(finalURL: url)
        return try HDF5Library.locked {
            let fapl = try fileAccessList(path: url.path)
            defer { H5Pclose(fapl) }
            // The root group records no times either (see `untimedCreationList`).
            let fcpl = try untimedCreationList(fmf_h5p_file_create(), file: url.path, object: "/")
            defer { H5Pclose(fcpl) }
            let id = H5Fcreate(pending.temporaryURL.path, fmf_h5f_acc_trunc(), fcpl, fapl)
            guard id >= 0 else {
                pending.discard()
                throw HDF5Library.error(.writeFailed, file: url.path, object: nil, "cannot create HDF5 file")
            }
            return HDF5File(url: url, mode: .readWrite, fileID: id, pending: pending)
        }
    }

    /// Opens an existing file.
    public static func open(at url: URL, mode: Mode = .readOnly) throws -> HDF5File {
        try FileBytes.checkReadable(url)
        // Taken from the file system, not from libhdf5, whose idea of the file's end comes from
        // the superblock, which a forged file can set to anything.
        let bytes = mode == .readOnly ? try FileBytes.size(url) : nil
        return try HDF5Library.locked {
            let fapl = try fileAccessList(path: url.path)
            defer { H5Pclose(fapl) }
            let flags = mode == .readOnly ? fmf_h5f_acc_rdonly() : fmf_h5f_acc_rdwr()
            let id = H5Fopen(url.path, flags, fapl)
            guard id >= 0 else {
                throw HDF5Library.error(
                    .malformed, file: url.path, object: nil,
                    "cannot open as HDF5 (not an HDF5 file, truncated, or in use)")
            }
            return HDF5File(url: url, mode: mode, fileID: id, pending: nil, readOnlyBytes: bytes)
        }
    }

    /// Strong close degree: closing the file really closes it (no lingering open objects),
    /// which must hold before a new file is renamed into place.
    private static func fileAccessList(path: String) throws -> hid_t {
        let fapl = H5Pcreate(fmf_h5p_file_access())
        guard fapl >= 0, H5Pset_fclose_degree(fapl, H5F_CLOSE_STRONG) >= 0 else {
            if fapl >= 0 { H5Pclose(fapl) }
            throw HDF5Library.error(.unreadable, file: path, object: nil, "cannot create a file-access property list")
        }
        return fapl
    }

    /// Finishes the file: flushes and closes it, and for a new file renames it to `url`.
    public func commit() throws {
        try HDF5Library.locked {
            guard fileID >= 0 else {
                throw FileFormatError(.writeFailed, path: path, "HDF5 file is already closed")
            }
            let status = H5Fclose(fileID)
            fileID = -1
            let pendingFile = pending
            pending = nil
            if status < 0 {
                pendingFile?.discard()
                throw HDF5Library.error(.writeFailed, file: path, object: nil, "cannot close HDF5 file")
            }
            try pendingFile?.commit()
        }
    }

    /// Closes the file. A new file that was not committed is deleted: nothing appears at `url`.
    public func close() {
        HDF5Library.locked {
            if fileID >= 0 { H5Fclose(fileID) }
            fileID = -1
            pending?.discard()
            pending = nil
        }
    }

    public var isOpen: Bool { HDF5Library.locked { fileID >= 0 } }

    deinit { close() }

    /// Runs `body` with the open file id, under the library lock.
    func withFile<T>(_ body: (hid_t) throws -> T) throws -> T {
        try HDF5Library.locked {
            guard fileID >= 0 else { throw FileFormatError(.unreadable, path: path, "HDF5 file is closed") }
            return try body(fileID)
        }
    }

    /// Throws unless `elements` elements of the open dataset `dataset`, of datatype `type`, fit in
    /// what a file of this size could hold (`HDF5ReadBound`); called before any allocation for them.
    func checkReadBound(elements: Int, dataset: hid_t, type: hid_t, object: String) throws {
        guard let readOnlyBytes else { return }
        let elementBytes = H5Tis_variable_str(type) > 0 ? HDF5ReadBound.variableLengthStringBytes : H5Tget_size(type)
        try HDF5ReadBound.check(
            elements: elements, elementBytes: elementBytes, dataset: dataset, fileBytes: readOnlyBytes,
            file: path, object: object)
    }

    func requireWritable(_ object: String) throws {
        if mode == .readOnly {
            throw FileFormatError(.writeFailed, path: path, "object '\(object)': file is open read-only")
        }
    }
}

// MARK: - Objects and groups

/// What an object path names.
public enum HDF5ObjectKind: Sendable, Equatable { case group, dataset, other }

extension HDF5File {
    /// True if every component of `path` exists (the root always exists).
    public func exists(_ path: String) throws -> Bool {
        try withFile { id in try linkExists(id, path) }
    }

    func linkExists(_ id: hid_t, _ path: String) throws -> Bool {
        for prefix in HDF5Path.prefixes(path) {
            let status = H5Lexists(id, prefix, fmf_h5p_default())
            if status < 0 { throw HDF5Library.error(file: self.path, object: prefix, "cannot check whether it exists") }
            if status == 0 { return false }
        }
        return true
    }

    /// Whether `path` is a group or a dataset.
    public func kind(of path: String) throws -> HDF5ObjectKind {
        let absolute = HDF5Path.absolute(path)
        return try withFile { id in
            guard try linkExists(id, absolute) else {
                throw FileFormatError(.notFound, path: self.path, "object '\(absolute)' does not exist")
            }
            let object = H5Oopen(id, absolute, fmf_h5p_default())
            guard object >= 0 else { throw HDF5Library.error(file: self.path, object: absolute, "cannot open") }
            defer { H5Oclose(object) }
            switch H5Iget_type(object) {
            case H5I_GROUP: return .group
            case H5I_DATASET: return .dataset
            default: return .other
            }
        }
    }

    /// Creates a group and any missing parent groups; an existing group is left as it is.
    public func createGroup(_ path: String) throws {
        let absolute = HDF5Path.absolute(path)
        try requireWritable(absolute)
        guard HDF5Path.isValidNewName(absolute) else {
            throw FileFormatError(.malformed, path: self.path, "invalid group path '\(path)'")
        }
        try withFile { id in
            if try linkExists(id, absolute) {
                guard try kind(of: absolute) == .group else {
                    throw FileFormatError(.malformed, path: self.path, "object '\(absolute)' exists and is not a group")
                }
                return
            }
            let lcpl = try intermediateGroupsList(absolute)
            defer { H5Pclose(lcpl) }
            let gcpl = try HDF5File.untimedCreationList(fmf_h5p_group_create(), file: self.path, object: absolute)
            defer { H5Pclose(gcpl) }
            let group = H5Gcreate2(id, absolute, lcpl, gcpl, fmf_h5p_default())
            guard group >= 0 else {
                throw HDF5Library.error(.writeFailed, file: self.path, object: absolute, "cannot create group")
            }
            H5Gclose(group)
        }
    }

    /// An object-creation property list of `listClass` that records no times: HDF5 stamps
    /// objects with their creation time by default, so a cache written twice from the same
    /// inputs would differ in bytes, and every stage that read it would look changed.
    static func untimedCreationList(_ listClass: hid_t, file: String, object: String) throws -> hid_t {
        let list = H5Pcreate(listClass)
        guard list >= 0, H5Pset_obj_track_times(list, false) >= 0 else {
            if list >= 0 { H5Pclose(list) }
            throw HDF5Library.error(.writeFailed, file: file, object: object, "cannot create a property list")
        }
        return list
    }

    /// A link-creation property list that creates missing parent groups.
    func intermediateGroupsList(_ object: String) throws -> hid_t {
        let lcpl = H5Pcreate(fmf_h5p_link_create())
        guard lcpl >= 0, H5Pset_create_intermediate_group(lcpl, 1) >= 0 else {
            if lcpl >= 0 { H5Pclose(lcpl) }
            throw HDF5Library.error(.writeFailed, file: path, object: object, "cannot create a link property list")
        }
        return lcpl
    }

    /// Names of the members of a group (not paths), in name order.
    public func members(of group: String = "/") throws -> [String] {
        let absolute = HDF5Path.absolute(group)
        return try withFile { id in
            guard try linkExists(id, absolute) else {
                throw FileFormatError(.notFound, path: self.path, "group '\(absolute)' does not exist")
            }
            let gid = H5Gopen2(id, absolute, fmf_h5p_default())
            guard gid >= 0 else { throw HDF5Library.error(file: self.path, object: absolute, "cannot open as a group") }
            defer { H5Gclose(gid) }
            var info = H5G_info_t()
            guard H5Gget_info(gid, &info) >= 0 else {
                throw HDF5Library.error(file: self.path, object: absolute, "cannot list members")
            }
            var names: [String] = []
            for index in 0..<info.nlinks {
                let length = H5Lget_name_by_idx(gid, ".", H5_INDEX_NAME, H5_ITER_INC, index, nil, 0, fmf_h5p_default())
                guard length >= 0 else {
                    throw HDF5Library.error(file: self.path, object: absolute, "cannot read member name")
                }
                var buffer = [CChar](repeating: 0, count: Int(length) + 1)
                _ = H5Lget_name_by_idx(
                    gid, ".", H5_INDEX_NAME, H5_ITER_INC, index, &buffer, buffer.count, fmf_h5p_default())
                names.append(String(cString: buffer))
            }
            return names
        }
    }
}
