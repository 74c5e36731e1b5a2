import CTurboJPEG
import Foundation

/// JPEG decoding and encoding through TurboJPEG (libjpeg-turbo).
///
/// Decoding accepts baseline and progressive JPEGs in YCbCr, grayscale, RGB, CMYK and YCCK,
/// always producing 8-bit RGB. Decoding is strict: any libjpeg warning (premature end of data,
/// corrupt entropy data, extraneous bytes) is an error, because the decoded pixels may be wrong
/// and a training set should not silently contain grey half-images.
public enum JPEGImage {
    /// Same limit as PNG: refuse absurd headers before allocating.
    public static var maximumPixelCount: Int { PNGImage.maximumPixelCount }

    /// True when `data` starts with a JPEG SOI marker followed by another marker.
    public static func hasSignature(_ data: Data) -> Bool {
        data.count >= 3 && data.prefix(3).elementsEqual([0xFF, 0xD8, 0xFF])
    }

    public static func read(from url: URL) throws -> RGBImage {
        try decode(FileBytes.read(url), path: url.path)
    }

    /// Decodes a JPEG held in memory; `path` names it in errors.
    public static func decode(_ data: Data, path: String) throws -> RGBImage {
        guard data.count >= 3 else {
            throw FileFormatError(.truncated, path: path, "\(data.count) bytes is too short for a JPEG file")
        }
        guard hasSignature(data) else {
            throw FileFormatError(.badMagic, path: path, "missing the JPEG start-of-image marker")
        }
        guard let handle = tjInitDecompress() else {
            throw FileFormatError(.unreadable, path: path, "cannot create a TurboJPEG decompressor")
        }
        defer { tjDestroy(handle) }

        return try data.withUnsafeBytes { raw -> RGBImage in
            let source = raw.bindMemory(to: UInt8.self).baseAddress!
            let size = UInt(raw.count)
            var width: Int32 = 0, height: Int32 = 0, subsampling: Int32 = 0, colorspace: Int32 = 0
            guard tjDecompressHeader3(handle, source, size, &width, &height, &subsampling, &colorspace) == 0 else {
                throw failure(handle, path: path, while: "reading the JPEG header")
            }
            let w = Int(width), h = Int(height)
            guard w > 0, h > 0 else { throw FileFormatError(.malformed, path: path, "JPEG has zero width or height") }
            guard w * h <= maximumPixelCount else {
                throw FileFormatError(
                    .unsupported, path: path, "JPEG is \(w)×\(h), more than the \(maximumPixelCount)-pixel limit")
            }
            let flags = TJFLAG_STOPONWARNING | TJFLAG_LIMITSCANS | TJFLAG_ACCURATEDCT
            let isCMYK = colorspace == Int32(TJCS_CMYK.rawValue) || colorspace == Int32(TJCS_YCCK.rawValue)
            if isCMYK {
                var cmyk = [UInt8](repeating: 0, count: w * h * 4)
                let rc = cmyk.withUnsafeMutableBufferPointer {
                    tjDecompress2(
                        handle, source, size, $0.baseAddress, width, width * 4, height, Int32(TJPF_CMYK.rawValue), flags
                    )
                }
                guard rc == 0 else { throw failure(handle, path: path, while: "decoding CMYK JPEG pixels") }
                return RGBImage(width: w, height: h, pixels: CMYKConversion.rgb(fromInvertedCMYK: cmyk))
            }
            var pixels = [UInt8](repeating: 0, count: w * h * 3)
            let rc = pixels.withUnsafeMutableBufferPointer {
                tjDecompress2(
                    handle, source, size, $0.baseAddress, width, width * 3, height, Int32(TJPF_RGB.rawValue), flags)
            }
            guard rc == 0 else { throw failure(handle, path: path, while: "decoding JPEG pixels") }
            return RGBImage(width: w, height: h, pixels: pixels)
        }
    }

    /// The error TurboJPEG recorded on `handle`, as a FileFormatError. Warnings are reported as
    /// corrupt data (`malformed`), or `truncated` when libjpeg says the file itself ended early.
    static func failure(
        _ handle: tjhandle, path: String, while action: String,
        kind: FileFormatError.Kind = .malformed
    ) -> FileFormatError {
        let message = tjGetErrorStr2(handle).map { String(cString: $0) } ?? "TurboJPEG error"
        let isWarning = tjGetErrorCode(handle) == Int32(TJERR_WARNING.rawValue)
        var resolved = kind
        if kind == .malformed && message.localizedCaseInsensitiveContains("premature end of JPEG file") {
            resolved = .truncated
        }
        return FileFormatError(resolved, path: path, "\(action): \(message)\(isWarning ? " (libjpeg warning)" : "")")
    }
}
