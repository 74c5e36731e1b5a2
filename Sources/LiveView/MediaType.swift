import Foundation

/// The `Content-Type` of each kind of file `ServedFolder` hands out.
enum MediaType {
    static let html = "text/html; charset=utf-8"

    static func of(_ file: URL) -> String {
        switch file.pathExtension.lowercased() {
        case "html": return html
        case "svg": return "image/svg+xml"
        case "png": return "image/png"
        case "jpg", "jpeg": return "image/jpeg"
        case "json": return "application/json"
        // Shown in the browser rather than downloaded: they are logs and notes to read.
        case "jsonl", "md", "txt", "yaml", "csv": return "text/plain; charset=utf-8"
        default: return "application/octet-stream"
        }
    }
}
