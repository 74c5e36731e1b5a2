import CPNG
import Foundation

/// PNG reading and writing through libpng's simplified API (`png_image`), which handles every
/// bit depth, colour type, palette, transparency chunk and interlacing for us.
///
/// Reading always yields 8-bit RGB:
/// - 16-bit samples are reduced to 8 bits. A 16-bit file without gamma information is taken to be
///   sRGB-encoded like an 8-bit one (`PNG_IMAGE_FLAG_16BIT_sRGB`), which is what image editors and
///   Python libraries write, rather than libpng's default assumption of linear data.
/// - Alpha (an alpha channel or a tRNS chunk) is composited over **black**; libpng does the
///   blend in linear light. Opaque pixels are unchanged; fully transparent pixels become (0, 0, 0).
public enum PNGImage {
    /// Images larger than this are refused before allocating, so a tiny file whose header claims
    /// enormous dimensions cannot exhaust memory (2^27 pixels is about 11 600 × 11 600).
    public static let maximumPixelCount = 1 << 27

    static let signature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]

    /// True when `data` starts with the 8-byte PNG signature.
    public static func hasSignature(_ data: Data) -> Bool {
        data.count >= 8 && data.prefix(8).elementsEqual(signature)
    }

    public static func read(from url: URL) throws -> RGBImage {
        try decode(FileBytes.read(url), path: url.path)
    }

    /// Decodes a PNG held in memory; `path` names it in errors.
    public static func decode(_ data: Data, path: String) throws -> RGBImage {
        guard data.count >= 8 else {
            throw FileFormatError(.truncated, path: path, "\(data.count) bytes is too short for a PNG file")
        }
        guard hasSignature(data) else {
            throw FileFormatError(.badMagic, path: path, "missing the PNG signature")
        }
        // libpng keeps reading from the buffer until png_image_finish_read, so both calls must
        // happen while the bytes are pinned.
        return try data.withUnsafeBytes { bytes -> RGBImage in
            try PNGChunkLengths.check(bytes, path: path)
            var image = png_image()
            image.version = png_uint_32(PNG_IMAGE_VERSION)
            defer { png_image_free(&image) }

            guard png_image_begin_read_from_memory(&image, bytes.baseAddress, bytes.count) != 0 else {
                throw failure(image, path: path, while: "reading the PNG header")
            }
            // Both are at most 2^31 (libpng checks), so the product cannot overflow Int.
            let width = Int(image.width), height = Int(image.height)
            guard width > 0, height > 0 else {
                throw FileFormatError(.malformed, path: path, "PNG has zero width or height")
            }
            guard width * height <= maximumPixelCount else {
                throw FileFormatError(
                    .unsupported, path: path,
                    "PNG is \(width)×\(height), more than the \(maximumPixelCount)-pixel limit")
            }
            image.format = png_uint_32(PNG_FORMAT_RGB)
            image.flags |= png_uint_32(PNG_IMAGE_FLAG_16BIT_sRGB)

            var pixels = [UInt8](repeating: 0, count: width * height * 3)
            var black = png_color(red: 0, green: 0, blue: 0)
            let finished = pixels.withUnsafeMutableBytes {
                png_image_finish_read(&image, &black, $0.baseAddress, png_int_32(width * 3), nil)
            }
            guard finished != 0 else { throw failure(image, path: path, while: "decoding PNG pixels") }
            return RGBImage(width: width, height: height, pixels: pixels)
        }
    }

    /// PNG bytes for an RGB image (8-bit, no alpha).
    public static func encode(_ image: RGBImage) throws -> Data {
        try encode(width: image.width, height: image.height, channels: 3, pixels: image.pixels, path: "<png>")
    }

    /// PNG bytes for 8-bit RGBA pixels (interleaved R, G, B, A; straight, not premultiplied, alpha).
    public static func encodeRGBA(width: Int, height: Int, pixels: [UInt8]) throws -> Data {
        try encode(width: width, height: height, channels: 4, pixels: pixels, path: "<png>")
    }

    /// PNG bytes for an RGB image; errors name `path`, the file they are meant for.
    public static func encode(_ image: RGBImage, path: String = "<png>") throws -> Data {
        try encode(width: image.width, height: image.height, channels: 3, pixels: image.pixels, path: path)
    }

    /// Writes an RGB image as an 8-bit PNG, atomically.
    public static func write(_ image: RGBImage, to url: URL) throws {
        try AtomicFile.write(try encode(image, path: url.path), to: url)
    }

    /// Writes 8-bit RGBA pixels as a PNG with an alpha channel, atomically.
    public static func writeRGBA(width: Int, height: Int, pixels: [UInt8], to url: URL) throws {
        let data = try encode(width: width, height: height, channels: 4, pixels: pixels, path: url.path)
        try AtomicFile.write(data, to: url)
    }

    private static func encode(width: Int, height: Int, channels: Int, pixels: [UInt8], path: String) throws -> Data {
        guard width > 0, height > 0, width <= Int(Int32.max) / 4, height <= Int(Int32.max) else {
            throw FileFormatError(.unsupported, path: path, "cannot write a \(width)×\(height) PNG")
        }
        guard pixels.count == width * height * channels else {
            throw FileFormatError(
                .malformed, path: path,
                "\(pixels.count) bytes are not \(width)×\(height) pixels of \(channels) channels")
        }
        var image = png_image()
        image.version = png_uint_32(PNG_IMAGE_VERSION)
        image.width = png_uint_32(width)
        image.height = png_uint_32(height)
        // PNG_FORMAT_RGBA is a compound macro Swift does not import; spell it from its flags.
        image.format = png_uint_32(channels == 4 ? PNG_FORMAT_RGB | PNG_FORMAT_FLAG_ALPHA : PNG_FORMAT_RGB)
        // libpng's fast setting (zlib level 1 and simpler row filters): the grid of 100 samples
        // encoded in about a third of the time, for files ~10 % larger.
        image.flags |= png_uint_32(PNG_IMAGE_FLAG_FAST)
        defer { png_image_free(&image) }

        // Start with a buffer that fits almost any image; libpng reports the size it needs if not.
        var capacity = pixels.count + pixels.count / 8 + height + 4096
        for _ in 0..<2 {
            var out = [UInt8](repeating: 0, count: capacity)
            var size = png_alloc_size_t(capacity)
            let ok = out.withUnsafeMutableBytes { buffer in
                pixels.withUnsafeBytes { src in
                    png_image_write_to_memory(
                        &image, buffer.baseAddress, &size, 0, src.baseAddress,
                        png_int_32(width * channels), nil)
                }
            }
            if ok != 0 { return Data(out[0..<Int(size)]) }
            guard Int(size) > capacity else { break }  // a real error, not a small buffer
            capacity = Int(size)
            png_image_free(&image)
            image.warning_or_error = 0
        }
        throw failure(image, path: path, while: "encoding PNG", kind: .writeFailed)
    }

    /// libpng's own message for the failed call.
    private static func failure(
        _ image: png_image, path: String, while action: String,
        kind: FileFormatError.Kind = .malformed
    ) -> FileFormatError {
        let message = withUnsafeBytes(of: image.message) { raw -> String in
            let bytes = raw.prefix { $0 != 0 }
            return String(decoding: bytes, as: UTF8.self)
        }
        return FileFormatError(kind, path: path, "\(action): \(message.isEmpty ? "libpng error" : message)")
    }
}
