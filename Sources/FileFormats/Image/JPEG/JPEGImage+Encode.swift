import CTurboJPEG
import Foundation

/// Chroma subsampling for JPEG encoding.
public enum JPEGSubsampling: Sendable {
    /// Full-resolution colour.
    case s444
    /// Colour at half resolution in both directions (the usual photographic default).
    case s420
    /// Luminance only: a grayscale JPEG.
    case gray

    var turboJPEGValue: Int32 {
        switch self {
        case .s444: return Int32(TJSAMP_444.rawValue)
        case .s420: return Int32(TJSAMP_420.rawValue)
        case .gray: return Int32(TJSAMP_GRAY.rawValue)
        }
    }
}

extension JPEGImage {
    /// JPEG bytes for an RGB image. `quality` is 1…100; `progressive` writes a progressive JPEG.
    public static func encode(
        _ image: RGBImage, quality: Int = 90, subsampling: JPEGSubsampling = .s420,
        progressive: Bool = false
    ) throws -> Data {
        try compress(
            pixels: image.pixels, width: image.width, height: image.height, channels: 3,
            format: Int32(TJPF_RGB.rawValue), quality: quality, subsampling: subsampling, progressive: progressive)
    }

    /// JPEG bytes for a CMYK image (Adobe's inverted convention: 255 = no ink), stored as YCCK.
    /// Mostly useful to make CMYK test files; decoding converts them back to RGB.
    public static func encodeCMYK(width: Int, height: Int, cmyk: [UInt8], quality: Int = 90) throws -> Data {
        try compress(
            pixels: cmyk, width: width, height: height, channels: 4,
            format: Int32(TJPF_CMYK.rawValue), quality: quality, subsampling: .s444, progressive: false)
    }

    /// Encodes and writes atomically.
    public static func write(_ image: RGBImage, to url: URL, quality: Int = 90) throws {
        let data: Data
        do {
            data = try encode(image, quality: quality)
        } catch let error as FileFormatError {
            throw FileFormatError(error.kind, path: url.path, error.message)
        }
        try AtomicFile.write(data, to: url)
    }

    private static func compress(
        pixels: [UInt8], width: Int, height: Int, channels: Int, format: Int32,
        quality: Int, subsampling: JPEGSubsampling, progressive: Bool
    ) throws -> Data {
        let path = "<jpeg>"
        guard width > 0, height > 0, width <= 65_500, height <= 65_500 else {
            throw FileFormatError(.unsupported, path: path, "cannot encode a \(width)×\(height) JPEG")
        }
        guard pixels.count == width * height * channels else {
            throw FileFormatError(
                .malformed, path: path, "\(pixels.count) bytes are not \(width)×\(height)×\(channels)")
        }
        guard (1...100).contains(quality) else {
            throw FileFormatError(.unsupported, path: path, "JPEG quality \(quality) is outside 1…100")
        }
        guard let handle = tjInitCompress() else {
            throw FileFormatError(.writeFailed, path: path, "cannot create a TurboJPEG compressor")
        }
        defer { tjDestroy(handle) }
        var output: UnsafeMutablePointer<UInt8>? = nil
        var size: UInt = 0
        defer { if let output { tjFree(output) } }
        let flags = TJFLAG_ACCURATEDCT | (progressive ? TJFLAG_PROGRESSIVE : 0)
        let rc = pixels.withUnsafeBufferPointer {
            tjCompress2(
                handle, $0.baseAddress, Int32(width), Int32(width * channels), Int32(height), format,
                &output, &size, subsampling.turboJPEGValue, Int32(quality), flags)
        }
        guard rc == 0, let output else { throw failure(handle, path: path, while: "encoding JPEG", kind: .writeFailed) }
        return Data(bytes: output, count: Int(size))
    }
}
