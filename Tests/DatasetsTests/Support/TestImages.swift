import FileFormats

/// Small synthetic test pictures with known content.
enum TestImages {
    static func constant(width: Int, height: Int, _ rgb: (UInt8, UInt8, UInt8)) -> RGBImage {
        RGBImage(width: width, height: height, fill: rgb)
    }

    /// One-pixel black and white checkerboard: the highest frequency an image can hold.
    static func checkerboard(width: Int, height: Int) -> RGBImage {
        var p = [UInt8](repeating: 0, count: width * height * 3)
        for y in 0..<height {
            for x in 0..<width where (x + y) % 2 == 0 {
                let i = (y * width + x) * 3
                p[i] = 255
                p[i + 1] = 255
                p[i + 2] = 255
            }
        }
        return RGBImage(width: width, height: height, pixels: p)
    }

    /// Red rises left to right, green top to bottom, blue is constant.
    static func gradient(width: Int, height: Int) -> RGBImage {
        var p = [UInt8](repeating: 0, count: width * height * 3)
        for y in 0..<height {
            for x in 0..<width {
                let i = (y * width + x) * 3
                p[i] = UInt8((Double(x) + 0.5) / Double(width) * 255)
                p[i + 1] = UInt8((Double(y) + 0.5) / Double(height) * 255)
                p[i + 2] = 77
            }
        }
        return RGBImage(width: width, height: height, pixels: p)
    }

    /// Every pixel distinct: R = x, G = y, B = x ^ y (for checking where pixels went).
    static func coordinates(width: Int, height: Int) -> RGBImage {
        var p = [UInt8](repeating: 0, count: width * height * 3)
        for y in 0..<height {
            for x in 0..<width {
                let i = (y * width + x) * 3
                p[i] = UInt8(x & 255)
                p[i + 1] = UInt8(y & 255)
                p[i + 2] = UInt8((x ^ y) & 255)
            }
        }
        return RGBImage(width: width, height: height, pixels: p)
    }

    static func pixel(_ image: RGBImage, _ x: Int, _ y: Int) -> (Int, Int, Int) {
        let i = (y * image.width + x) * 3
        return (Int(image.pixels[i]), Int(image.pixels[i + 1]), Int(image.pixels[i + 2]))
    }
}
