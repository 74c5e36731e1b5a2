import Foundation

/// Reads an image whatever its format, choosing the decoder from the file's first bytes
/// (not its extension, which is often wrong in scraped datasets).
public enum ImageFile {
    public static func read(from url: URL) throws -> RGBImage {
        try decode(FileBytes.read(url), path: url.path)
    }

    public static func decode(_ data: Data, path: String) throws -> RGBImage {
        if data.isEmpty { throw FileFormatError(.truncated, path: path, "empty file, not an image") }
        if PNGImage.hasSignature(data) { return try PNGImage.decode(data, path: path) }
        if JPEGImage.hasSignature(data) { return try JPEGImage.decode(data, path: path) }
        throw FileFormatError(
            .unsupported, path: path,
            "unsupported image format\(recognisedFormat(data).map { " (\($0))" } ?? ""); only PNG and JPEG are read")
    }

    /// Names a few formats people commonly mistake for PNG/JPEG, to make the error actionable.
    private static func recognisedFormat(_ data: Data) -> String? {
        let head = [UInt8](data.prefix(12))
        func starts(_ bytes: [UInt8]) -> Bool { head.count >= bytes.count && Array(head.prefix(bytes.count)) == bytes }
        if starts(Array("GIF8".utf8)) { return "GIF" }
        if starts([0x42, 0x4D]) { return "BMP" }
        if starts([0x49, 0x49, 0x2A, 0x00]) || starts([0x4D, 0x4D, 0x00, 0x2A]) { return "TIFF" }
        if head.count >= 12, starts(Array("RIFF".utf8)), Array(head[8..<12]) == Array("WEBP".utf8) { return "WebP" }
        if head.count >= 12, Array(head[4..<8]) == Array("ftyp".utf8) { return "HEIF/AVIF or MP4 container" }
        if starts([0xFF, 0xD8]) { return "JPEG start marker without a following marker" }
        return nil
    }
}
