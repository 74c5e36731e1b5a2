/// One image as float planes (channel-major: C × H × W), the layout the filters work in.
struct PlanarImage {
    var channels: Int
    var height: Int
    var width: Int
    var values: [Float]

    init(channels: Int, height: Int, width: Int, values: [Float]) {
        precondition(
            values.count == channels * height * width,
            "PlanarImage: \(values.count) values for \(channels)×\(height)×\(width)")
        self.channels = channels
        self.height = height
        self.width = width
        self.values = values
    }

    init(zeros channels: Int, height: Int, width: Int) {
        self.init(
            channels: channels, height: height, width: width,
            values: [Float](repeating: 0, count: channels * height * width))
    }

    var plane: Int { height * width }

    static func - (a: PlanarImage, b: PlanarImage) -> PlanarImage {
        precondition(a.values.count == b.values.count, "PlanarImage: subtracting different sizes")
        var out = a
        out.values.withUnsafeMutableBufferPointer { o in
            b.values.withUnsafeBufferPointer { q in
                for i in 0..<o.count { o[i] -= q[i] }
            }
        }
        return out
    }
}
