/// CMYK to RGB for JPEGs. Adobe applications, which write nearly all CMYK JPEGs, store the
/// channels inverted (255 = no ink), and libjpeg-turbo uses the same convention, so with stored
/// values C, M, Y, K the naive ink model R = 255·(1−c)(1−k) becomes R = C·K/255. No colour
/// management is attempted: that needs the embedded ICC profile and is beyond a training pipeline.
enum CMYKConversion {
    static func rgb(fromInvertedCMYK cmyk: [UInt8]) -> [UInt8] {
        let count = cmyk.count / 4
        var rgb = [UInt8](repeating: 0, count: count * 3)
        cmyk.withUnsafeBufferPointer { src in
            rgb.withUnsafeMutableBufferPointer { dst in
                for i in 0..<count {
                    let k = UInt32(src[4 * i + 3])
                    // (a·b + 127) / 255 rounds the product to the nearest 8-bit value.
                    dst[3 * i] = UInt8((UInt32(src[4 * i]) * k + 127) / 255)
                    dst[3 * i + 1] = UInt8((UInt32(src[4 * i + 1]) * k + 127) / 255)
                    dst[3 * i + 2] = UInt8((UInt32(src[4 * i + 2]) * k + 127) / 255)
                }
            }
        }
        return rgb
    }
}
