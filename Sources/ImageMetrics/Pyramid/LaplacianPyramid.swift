/// The Laplacian pyramid of Burt & Adelson as the ProGAN SWD code builds it (it matches OpenCV's
/// `pyrDown`/`pyrUp`): a 5-tap binomial blur [1, 4, 6, 4, 1]/16 with mirrored borders
/// (… c b | a b c …, the edge sample not repeated) followed by keeping every other sample; the
/// way up inserts zeros between samples and blurs with twice that kernel per axis. Band `l` is
/// Gaussian level `l` minus the upsampled level `l + 1`; the last band is the Gaussian level
/// itself (the low-pass residual).
///
/// One value serves every image of a given size: the resampling operators are built once.
struct LaplacianPyramid {
    static let kernel: [Float] = [1, 4, 6, 4, 1]

    let height: Int
    let width: Int
    let levels: Int
    /// Per Gaussian level l < levels − 1: down (l → l + 1) and up (l + 1 → l), per axis.
    private let downH: [SeparableOperator], downV: [SeparableOperator]
    private let upH: [SeparableOperator], upV: [SeparableOperator]

    init(height: Int, width: Int, levels: Int) {
        precondition(levels >= 1, "LaplacianPyramid: at least one level")
        self.height = height
        self.width = width
        self.levels = levels
        var downH: [SeparableOperator] = [], downV: [SeparableOperator] = []
        var upH: [SeparableOperator] = [], upV: [SeparableOperator] = []
        var h = height, w = width
        for _ in 0..<(levels - 1) {
            let (h2, w2) = ((h + 1) / 2, (w + 1) / 2)
            downH.append(Self.downOperator(w))
            downV.append(Self.downOperator(h))
            upH.append(Self.upOperator(w2, to: w))
            upV.append(Self.upOperator(h2, to: h))
            (h, w) = (h2, w2)
        }
        (self.downH, self.downV, self.upH, self.upV) = (downH, downV, upH, upV)
    }

    /// Band `level` (0 = finest), computing only the Gaussian levels it needs.
    func band(_ level: Int, of image: PlanarImage) -> PlanarImage {
        precondition(level >= 0 && level < levels, "LaplacianPyramid: band \(level) of \(levels)")
        precondition(image.height == height && image.width == width, "LaplacianPyramid: image size")
        var gaussian = image
        for l in 0..<level { gaussian = down(gaussian, l) }
        if level == levels - 1 { return gaussian }
        return gaussian - up(down(gaussian, level), level)
    }

    /// Every band, finest first.
    func bands(of image: PlanarImage) -> [PlanarImage] {
        var result: [PlanarImage] = []
        var gaussian = image
        for level in 0..<levels {
            if level == levels - 1 {
                result.append(gaussian)
            } else {
                let coarser = down(gaussian, level)
                result.append(gaussian - up(coarser, level))
                gaussian = coarser
            }
        }
        return result
    }

    /// Gaussian level `level + 1` from level `level`.
    func down(_ image: PlanarImage, _ level: Int) -> PlanarImage {
        SeparableOperator.apply(image, horizontal: downH[level], vertical: downV[level])
    }

    /// Gaussian level `level + 1` brought back to the size of level `level`.
    func up(_ image: PlanarImage, _ level: Int) -> PlanarImage {
        SeparableOperator.apply(image, horizontal: upH[level], vertical: upV[level])
    }

    /// Reflects an index into 0..<n about the first and last samples.
    static func mirror(_ i: Int, _ n: Int) -> Int {
        if n == 1 { return 0 }
        var j = i
        while j < 0 || j >= n {
            if j < 0 { j = -j }
            if j >= n { j = 2 * (n - 1) - j }
        }
        return j
    }

    /// Blur then keep the even samples: n → ⌈n/2⌉.
    static func downOperator(_ n: Int) -> SeparableOperator {
        SeparableOperator(inputCount: n, outputCount: (n + 1) / 2) { i in
            (0..<5).map { t in (mirror(2 * i + t - 2, n), kernel[t] / 16) }
        }
    }

    /// Zero-insert m samples onto a grid of n (n = 2m or 2m − 1), mirror at the grid's borders,
    /// blur with [1, 4, 6, 4, 1]/8: only taps that land on an inserted (even) sample count.
    static func upOperator(_ m: Int, to n: Int) -> SeparableOperator {
        SeparableOperator(inputCount: m, outputCount: n) { i in
            (0..<5).compactMap { t in
                let j = mirror(i + t - 2, n)
                return j % 2 == 0 && j / 2 < m ? (j / 2, kernel[t] / 8) : nil
            }
        }
    }
}
