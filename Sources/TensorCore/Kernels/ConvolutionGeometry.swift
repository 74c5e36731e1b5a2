/// Sizes of one 2-D convolution (NCHW input, weight [Cout, Cin, kh, kw], square stride and
/// zero padding), and the matrix shapes it turns into: the weight is a [Cout, K] matrix with
/// K = Cin·kh·kw, and each image's unrolled input ("columns") a [K, P] matrix with P = Ho·Wo.
public struct ConvolutionGeometry: Equatable, Sendable {
    public let batch: Int
    public let inChannels: Int
    public let height: Int
    public let width: Int
    public let outChannels: Int
    public let kernelHeight: Int
    public let kernelWidth: Int
    public let stride: Int
    public let padding: Int
    /// PyTorch's rule: floor((H + 2p − k) / s) + 1.
    public let outHeight: Int
    public let outWidth: Int

    /// Checks the sizes; the message says which one is wrong.
    public init(
        batch: Int, inChannels: Int, height: Int, width: Int, outChannels: Int,
        kernelHeight: Int, kernelWidth: Int, stride: Int, padding: Int
    ) {
        requireShape(stride >= 1, "conv2d: stride must be at least 1, got \(stride)")
        requireShape(padding >= 0, "conv2d: padding must not be negative, got \(padding)")
        requireShape(
            kernelHeight >= 1 && kernelWidth >= 1,
            "conv2d: kernel must be at least 1×1, got \(kernelHeight)×\(kernelWidth)")
        requireShape(
            height + 2 * padding >= kernelHeight && width + 2 * padding >= kernelWidth,
            "conv2d: input \(height)×\(width) with padding \(padding) is smaller than the kernel "
                + "\(kernelHeight)×\(kernelWidth)")
        self.batch = batch
        self.inChannels = inChannels
        self.height = height
        self.width = width
        self.outChannels = outChannels
        self.kernelHeight = kernelHeight
        self.kernelWidth = kernelWidth
        self.stride = stride
        self.padding = padding
        outHeight = (height + 2 * padding - kernelHeight) / stride + 1
        outWidth = (width + 2 * padding - kernelWidth) / stride + 1
    }

    /// Rows of the column matrix (the GEMM's inner dimension).
    @inlinable public var patchSize: Int { inChannels * kernelHeight * kernelWidth }
    /// Output pixels per image (columns of one image's column matrix).
    @inlinable public var outPixels: Int { outHeight * outWidth }
    @inlinable public var inPixels: Int { height * width }

    /// A 1×1 convolution with stride 1 and no padding: each image already is its column matrix.
    @inlinable public var isPointwise: Bool {
        kernelHeight == 1 && kernelWidth == 1 && stride == 1 && padding == 0
    }

    /// Multiply-adds ×2 of one forward pass (the backward pass costs twice this).
    public var forwardFLOPs: Double {
        2 * Double(batch) * Double(outChannels) * Double(patchSize) * Double(outPixels)
    }

    /// The output columns ox whose input column ox·s − p + j lies inside the image, for kernel column j.
    @inlinable
    func validOutputColumns(kernelColumn j: Int) -> Range<Int> {
        let shift = padding - j  // ix = ox·s − shift
        let start = shift <= 0 ? 0 : (shift + stride - 1) / stride
        let last = width - 1 + shift  // ox·s ≤ last
        let end = last < 0 ? 0 : min(outWidth, last / stride + 1)
        return min(start, end)..<end
    }
}
