import Dispatch

/// Times forward + backward of one convolution shape, for `pipeline bench` and for tuning the
/// kernels. Convolutions are most of a training step, so their speed per shape is the first
/// figure to look at when the engine is slower than the reference.
public enum ConvolutionBenchmark {
    public struct Shape: Sendable, CustomStringConvertible {
        public var batch, inChannels, outChannels, height, width, kernelSize, stride, padding: Int

        public init(
            batch: Int, inChannels: Int, outChannels: Int, height: Int, width: Int,
            kernelSize: Int, stride: Int = 1, padding: Int = 0
        ) {
            self.batch = batch
            self.inChannels = inChannels
            self.outChannels = outChannels
            self.height = height
            self.width = width
            self.kernelSize = kernelSize
            self.stride = stride
            self.padding = padding
        }

        var geometry: ConvolutionGeometry {
            ConvolutionGeometry(
                batch: batch, inChannels: inChannels, height: height, width: width,
                outChannels: outChannels, kernelHeight: kernelSize, kernelWidth: kernelSize,
                stride: stride, padding: padding)
        }

        /// Forward + backward (input, weight) FLOPs: three GEMMs of the same size.
        public var trainingFLOPs: Double { 3 * geometry.forwardFLOPs }

        public var description: String {
            "\(batch)×\(inChannels)×\(height)×\(width) → \(outChannels) k\(kernelSize) s\(stride) p\(padding)"
        }
    }

    public struct Result: Sendable, CustomStringConvertible {
        public let shape: Shape
        /// Medians over the timed runs.
        public let forwardSeconds: Double
        public let backwardSeconds: Double
        /// Median of the per-run forward + backward times.
        public let totalSeconds: Double
        /// Fastest forward + backward run: the figure least disturbed by other work on the machine.
        public let fastestSeconds: Double
        public var gflops: Double { shape.trainingFLOPs / totalSeconds / 1e9 }

        public var description: String {
            func ms(_ s: Double) -> String { String(format: "%.2f", s * 1000) }
            return "\(shape): fwd \(ms(forwardSeconds)) ms, bwd \(ms(backwardSeconds)) ms, "
                + "total \(ms(totalSeconds)) ms (fastest \(ms(fastestSeconds))), \(String(format: "%.1f", gflops)) GFLOP/s"
        }
    }

    /// Forward, then backward with gradients for input, weight and bias, on random data;
    /// `warmup` untimed runs first (they size the scratch buffers), then the median of `runs`.
    public static func measure(_ shape: Shape, runs: Int = 5, warmup: Int = 1, seed: UInt64 = 1) -> Result {
        let g = shape.geometry
        var generator = SeededGenerator(seed: seed)
        let x = Initialization.normal(shape: [g.batch, g.inChannels, g.height, g.width], generator: &generator)
        let w = Initialization.pytorchDefaultUniform(
            shape: [g.outChannels, g.inChannels, g.kernelHeight, g.kernelWidth],
            fanIn: g.patchSize, generator: &generator)
        let b = Initialization.normal(shape: [g.outChannels], generator: &generator)
        let gy = Initialization.normal(shape: [g.batch, g.outChannels, g.outHeight, g.outWidth], generator: &generator)

        var forward: [Double] = [], backward: [Double] = [], total: [Double] = []
        for run in 0..<(max(0, warmup) + max(1, runs)) {
            let vx = Variable(parameter: x), vw = Variable(parameter: w), vb = Variable(parameter: b)
            let start = DispatchTime.now().uptimeNanoseconds
            let y = conv2d(vx, weight: vw, bias: vb, stride: g.stride, padding: g.padding)
            let middle = DispatchTime.now().uptimeNanoseconds
            y.backward(seed: gy)
            let end = DispatchTime.now().uptimeNanoseconds
            guard run >= warmup else { continue }
            forward.append(Double(middle - start) / 1e9)
            backward.append(Double(end - middle) / 1e9)
            total.append(Double(end - start) / 1e9)
        }
        return Result(
            shape: shape, forwardSeconds: median(forward), backwardSeconds: median(backward),
            totalSeconds: median(total), fastestSeconds: total.min() ?? 0)
    }

    /// `measure` for every reference shape, in order.
    public static func measureReferenceShapes(runs: Int = 5, warmup: Int = 1) -> [(name: String, result: Result)] {
        referenceShapes.map { ($0.name, measure($0.shape, runs: runs, warmup: warmup)) }
    }

    /// The convolutions that dominate the benchmark networks' training steps.
    public static let referenceShapes: [(name: String, shape: Shape)] = [
        (
            "aelite enc 12→64 @64",
            Shape(
                batch: 16, inChannels: 12, outChannels: 64, height: 64, width: 64,
                kernelSize: 3, padding: 1)
        ),
        (
            "aelite 64→64 @64",
            Shape(
                batch: 16, inChannels: 64, outChannels: 64, height: 64, width: 64,
                kernelSize: 3, padding: 1)
        ),
        (
            "aelite 64→128 s2 @64",
            Shape(
                batch: 16, inChannels: 64, outChannels: 128, height: 64, width: 64,
                kernelSize: 3, stride: 2, padding: 1)
        ),
        (
            "aelite 128→128 @32",
            Shape(
                batch: 16, inChannels: 128, outChannels: 128, height: 32, width: 32,
                kernelSize: 3, padding: 1)
        ),
        (
            "aelite 128→128 s2 @32",
            Shape(
                batch: 16, inChannels: 128, outChannels: 128, height: 32, width: 32,
                kernelSize: 3, stride: 2, padding: 1)
        ),
        (
            "aelite 128→128 @16",
            Shape(
                batch: 16, inChannels: 128, outChannels: 128, height: 16, width: 16,
                kernelSize: 3, padding: 1)
        ),
        (
            "aelite qkv 1×1 128→384 @16",
            Shape(
                batch: 16, inChannels: 128, outChannels: 384, height: 16, width: 16,
                kernelSize: 1)
        ),
        (
            "aelite dec 128→64 @64",
            Shape(
                batch: 16, inChannels: 128, outChannels: 64, height: 64, width: 64,
                kernelSize: 3, padding: 1)
        ),
        (
            "aelite dec 64→12 @64",
            Shape(
                batch: 16, inChannels: 64, outChannels: 12, height: 64, width: 64,
                kernelSize: 3, padding: 1)
        ),
        (
            "latent 64→64 @16",
            Shape(
                batch: 64, inChannels: 64, outChannels: 64, height: 16, width: 16,
                kernelSize: 3, padding: 1)
        ),
        (
            "latent 128→128 @8",
            Shape(
                batch: 64, inChannels: 128, outChannels: 128, height: 8, width: 8,
                kernelSize: 3, padding: 1)
        ),
        (
            "latent 128→128 @4",
            Shape(
                batch: 64, inChannels: 128, outChannels: 128, height: 4, width: 4,
                kernelSize: 3, padding: 1)
        ),
        (
            "latent up 256→128 @8",
            Shape(
                batch: 64, inChannels: 256, outChannels: 128, height: 8, width: 8,
                kernelSize: 3, padding: 1)
        ),
        (
            "latent 1×1 128→384 @8",
            Shape(
                batch: 64, inChannels: 128, outChannels: 384, height: 8, width: 8,
                kernelSize: 1)
        ),
        (
            "pixel 32→32 @128",
            Shape(
                batch: 8, inChannels: 32, outChannels: 32, height: 128, width: 128,
                kernelSize: 3, padding: 1)
        ),
        (
            "pixel up 64→32 @128",
            Shape(
                batch: 8, inChannels: 64, outChannels: 32, height: 128, width: 128,
                kernelSize: 3, padding: 1)
        ),
        (
            "pixel 64→64 @64",
            Shape(
                batch: 8, inChannels: 64, outChannels: 64, height: 64, width: 64,
                kernelSize: 3, padding: 1)
        ),
        (
            "pixel 256→256 @16",
            Shape(
                batch: 8, inChannels: 256, outChannels: 256, height: 16, width: 16,
                kernelSize: 3, padding: 1)
        ),
        (
            "pixel up 512→256 @8",
            Shape(
                batch: 8, inChannels: 512, outChannels: 256, height: 8, width: 8,
                kernelSize: 3, padding: 1)
        ),
        // Thin first and last layers: little work, but easily the slowest per FLOP.
        (
            "pixel in 3→32 @128",
            Shape(
                batch: 8, inChannels: 3, outChannels: 32, height: 128, width: 128,
                kernelSize: 3, padding: 1)
        ),
        (
            "pixel out 32→3 @128",
            Shape(
                batch: 8, inChannels: 32, outChannels: 3, height: 128, width: 128,
                kernelSize: 3, padding: 1)
        ),
        (
            "latent in 4→64 @16",
            Shape(
                batch: 64, inChannels: 4, outChannels: 64, height: 16, width: 16,
                kernelSize: 3, padding: 1)
        ),
        (
            "latent out 64→4 @16",
            Shape(
                batch: 64, inChannels: 64, outChannels: 4, height: 16, width: 16,
                kernelSize: 3, padding: 1)
        ),
        (
            "aelite 128→4 @16",
            Shape(
                batch: 16, inChannels: 128, outChannels: 4, height: 16, width: 16,
                kernelSize: 3, padding: 1)
        ),
        (
            "aelite 1×1 128→128 @16",
            Shape(
                batch: 16, inChannels: 128, outChannels: 128, height: 16, width: 16,
                kernelSize: 1)
        ),
    ]

    private static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        guard !sorted.isEmpty else { return 0 }
        let mid = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
    }
}
