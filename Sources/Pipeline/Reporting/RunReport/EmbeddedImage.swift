import Foundation

/// How the report refers to a picture: embedded as a data URI, so that the page is one file that
/// can be mailed or opened anywhere, unless the picture is large (the sample grid of a big run),
/// when a path relative to the report keeps the page quick to open.
enum EmbeddedImage {
    /// Pictures up to this size are embedded (base64 adds a third).
    static let embeddedLimit = 4 << 20

    /// The `src` for `file` in a page saved in `pageFolder`; nil when there is no such file.
    static func source(_ file: URL, pageFolder: URL) -> String? {
        let manager = FileManager.default
        guard let attributes = try? manager.attributesOfItem(atPath: file.path),
            attributes[.type] as? FileAttributeType == .typeRegular,
            let size = attributes[.size] as? Int, size > 0
        else { return nil }
        if size <= embeddedLimit, let data = try? Data(contentsOf: file) {
            return "data:\(mediaType(file));base64," + data.base64EncodedString()
        }
        return relativePath(file, from: pageFolder)
    }

    static func mediaType(_ file: URL) -> String {
        switch file.pathExtension.lowercased() {
        case "jpg", "jpeg": return "image/jpeg"
        case "svg": return "image/svg+xml"
        default: return "image/png"
        }
    }

    /// `file`'s path relative to `folder` when inside it (URL-encoded), else a file URL.
    static func relativePath(_ file: URL, from folder: URL) -> String {
        let path = file.standardizedFileURL.path, base = folder.standardizedFileURL.path + "/"
        guard path.hasPrefix(base) else { return file.standardizedFileURL.absoluteString }
        return String(path.dropFirst(base.count)).split(separator: "/").map {
            $0.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? String($0)
        }.joined(separator: "/")
    }
}
