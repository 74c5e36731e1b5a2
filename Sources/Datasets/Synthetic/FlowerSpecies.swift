/// The outline of one petal, as drawn by `PetalGeometry`.
enum PetalShape: Sendable {
    /// An ellipse (poppy, rose, buttercup).
    case round
    /// An almond pointed at both ends (lily, sunflower, dahlia).
    case pointed
    /// An ellipse with a notch bitten out of its tip (pansy, cosmos: heart-like).
    case notched
    /// A thin strap with a rounded end (daisy, aster rays).
    case ray
    /// An ellipse whose tip is cut into teeth (cornflower, carnation).
    case fringed
}

/// What fills the middle of the flower.
enum CentreStyle: Sendable {
    /// A disc of seeds in crossing spirals (sunflower, daisy).
    case seeds
    /// A smooth shiny dome (poppy, pansy, dahlia).
    case dome
    /// A ring of stamens on thin filaments around a small pistil (lily, cornflower).
    case stamens
    /// A tight swirl of unopened petals (rose, peony).
    case bud
}

/// The colours of one colour variant of a species.
struct FlowerPalette: Sendable {
    var petalBase: ColorRGB
    var petalTip: ColorRGB
    var centreInner: ColorRGB
    var centreOuter: ColorRGB
    /// A contrasting patch at the petal base (poppy blotch, pansy face); nil for none.
    var eye: ColorRGB? = nil

    func hueRotated(_ angle: Float) -> FlowerPalette {
        FlowerPalette(
            petalBase: petalBase.hueRotated(angle), petalTip: petalTip.hueRotated(angle),
            centreInner: centreInner.hueRotated(angle), centreOuter: centreOuter.hueRotated(angle),
            eye: eye?.hueRotated(angle))
    }
}

/// A kind of synthetic flower: everything that a class shares. Each image draws its own
/// petal count, sizes and colours from these ranges, so classes overlap a little, as real ones do.
struct FlowerSpecies: Sendable {
    var name: String
    var shape: PetalShape
    var petalCount: ClosedRange<Int>
    /// Petal rings, outermost first: 1 for a single bloom, 2–3 for a double bloom.
    var layers: Int
    /// Petal width as a fraction of the spacing between petals at mid-length; above 1 petals overlap.
    var petalWidth: ClosedRange<Float>
    /// Radius of the central disc, in units of the flower radius.
    var centreRadius: ClosedRange<Float>
    var centre: CentreStyle
    /// How strongly veins show along the petals (0 = none).
    var veins: Float
    /// Dark speckles near the petal base (tiger lily, foxglove).
    var speckles: Bool = false
    /// For `.stamens` centres: how many, and how far out (in units of the centre radius).
    var stamenCount: ClosedRange<Int> = 12...18
    var stamenReach: Float = 1.0
    var palettes: [FlowerPalette]
}

extension FlowerSpecies {
    /// The hand-designed classes; more classes are hue- and count-shifted variants of these.
    static let builtIn: [FlowerSpecies] = [
        FlowerSpecies(
            name: "daisy-like", shape: .ray, petalCount: 18...26, layers: 1, petalWidth: 0.75...0.95,
            centreRadius: 0.2...0.26, centre: .seeds, veins: 0.12,
            palettes: [
                FlowerPalette(
                    petalBase: ColorRGB(bytes: 236, 236, 226), petalTip: ColorRGB(bytes: 252, 252, 248),
                    centreInner: ColorRGB(bytes: 200, 140, 10), centreOuter: ColorRGB(bytes: 250, 200, 30)),
                FlowerPalette(
                    petalBase: ColorRGB(bytes: 240, 200, 220), petalTip: ColorRGB(bytes: 252, 240, 246),
                    centreInner: ColorRGB(bytes: 190, 130, 20), centreOuter: ColorRGB(bytes: 245, 205, 50)),
            ]),
        FlowerSpecies(
            name: "sunflower-like", shape: .pointed, petalCount: 16...24, layers: 2, petalWidth: 1.0...1.3,
            centreRadius: 0.4...0.48, centre: .seeds, veins: 0.18,
            palettes: [
                FlowerPalette(
                    petalBase: ColorRGB(bytes: 240, 170, 10), petalTip: ColorRGB(bytes: 255, 215, 40),
                    centreInner: ColorRGB(bytes: 60, 35, 15), centreOuter: ColorRGB(bytes: 110, 65, 20)),
                FlowerPalette(
                    petalBase: ColorRGB(bytes: 200, 80, 20), petalTip: ColorRGB(bytes: 245, 170, 30),
                    centreInner: ColorRGB(bytes: 45, 25, 12), centreOuter: ColorRGB(bytes: 90, 50, 18)),
            ]),
        FlowerSpecies(
            name: "poppy-like", shape: .round, petalCount: 4...5, layers: 1, petalWidth: 1.35...1.6,
            centreRadius: 0.12...0.16, centre: .dome, veins: 0.12,
            palettes: [
                FlowerPalette(
                    petalBase: ColorRGB(bytes: 200, 20, 15), petalTip: ColorRGB(bytes: 240, 50, 30),
                    centreInner: ColorRGB(bytes: 50, 60, 30), centreOuter: ColorRGB(bytes: 20, 20, 20),
                    eye: ColorRGB(bytes: 25, 15, 20)),
                FlowerPalette(
                    petalBase: ColorRGB(bytes: 235, 110, 10), petalTip: ColorRGB(bytes: 255, 160, 40),
                    centreInner: ColorRGB(bytes: 90, 100, 40), centreOuter: ColorRGB(bytes: 40, 40, 20)),
            ]),
        FlowerSpecies(
            name: "cosmos-like", shape: .notched, petalCount: 8...8, layers: 1, petalWidth: 1.0...1.2,
            centreRadius: 0.14...0.18, centre: .seeds, veins: 0.18,
            palettes: [
                FlowerPalette(
                    petalBase: ColorRGB(bytes: 200, 40, 130), petalTip: ColorRGB(bytes: 235, 110, 185),
                    centreInner: ColorRGB(bytes: 220, 170, 20), centreOuter: ColorRGB(bytes: 250, 210, 50)),
                FlowerPalette(
                    petalBase: ColorRGB(bytes: 240, 170, 210), petalTip: ColorRGB(bytes: 252, 225, 240),
                    centreInner: ColorRGB(bytes: 220, 170, 20), centreOuter: ColorRGB(bytes: 250, 210, 50)),
            ]),
        FlowerSpecies(
            name: "rose-like", shape: .round, petalCount: 5...7, layers: 3, petalWidth: 1.3...1.6,
            centreRadius: 0.2...0.26, centre: .bud, veins: 0.08,
            palettes: [
                FlowerPalette(
                    petalBase: ColorRGB(bytes: 150, 10, 30), petalTip: ColorRGB(bytes: 210, 30, 50),
                    centreInner: ColorRGB(bytes: 90, 5, 20), centreOuter: ColorRGB(bytes: 160, 20, 40)),
                FlowerPalette(
                    petalBase: ColorRGB(bytes: 235, 120, 150), petalTip: ColorRGB(bytes: 250, 180, 200),
                    centreInner: ColorRGB(bytes: 190, 70, 100), centreOuter: ColorRGB(bytes: 230, 130, 160)),
                FlowerPalette(
                    petalBase: ColorRGB(bytes: 245, 220, 150), petalTip: ColorRGB(bytes: 252, 240, 200),
                    centreInner: ColorRGB(bytes: 220, 170, 90), centreOuter: ColorRGB(bytes: 240, 210, 140)),
            ]),
        FlowerSpecies(
            name: "lily-like", shape: .pointed, petalCount: 6...6, layers: 1, petalWidth: 0.75...0.95,
            centreRadius: 0.1...0.13, centre: .stamens, veins: 0.15, speckles: true,
            stamenCount: 6...6, stamenReach: 3.8,
            palettes: [
                FlowerPalette(
                    petalBase: ColorRGB(bytes: 250, 120, 20), petalTip: ColorRGB(bytes: 255, 170, 60),
                    centreInner: ColorRGB(bytes: 120, 160, 60), centreOuter: ColorRGB(bytes: 120, 50, 20)),
                FlowerPalette(
                    petalBase: ColorRGB(bytes: 220, 60, 120), petalTip: ColorRGB(bytes: 252, 225, 235),
                    centreInner: ColorRGB(bytes: 140, 180, 70), centreOuter: ColorRGB(bytes: 130, 60, 40)),
            ]),
        FlowerSpecies(
            name: "pansy-like", shape: .notched, petalCount: 5...5, layers: 1, petalWidth: 1.35...1.6,
            centreRadius: 0.07...0.09, centre: .dome, veins: 0.15,
            palettes: [
                FlowerPalette(
                    petalBase: ColorRGB(bytes: 120, 40, 170), petalTip: ColorRGB(bytes: 160, 90, 210),
                    centreInner: ColorRGB(bytes: 250, 220, 60), centreOuter: ColorRGB(bytes: 230, 180, 30),
                    eye: ColorRGB(bytes: 40, 10, 60)),
                FlowerPalette(
                    petalBase: ColorRGB(bytes: 245, 200, 20), petalTip: ColorRGB(bytes: 255, 235, 90),
                    centreInner: ColorRGB(bytes: 250, 240, 120), centreOuter: ColorRGB(bytes: 240, 160, 20),
                    eye: ColorRGB(bytes: 80, 30, 70)),
            ]),
        FlowerSpecies(
            name: "aster-like", shape: .ray, petalCount: 30...40, layers: 2, petalWidth: 0.7...0.9,
            centreRadius: 0.16...0.2, centre: .seeds, veins: 0.0,
            palettes: [
                FlowerPalette(
                    petalBase: ColorRGB(bytes: 130, 90, 200), petalTip: ColorRGB(bytes: 175, 140, 230),
                    centreInner: ColorRGB(bytes: 210, 150, 20), centreOuter: ColorRGB(bytes: 245, 200, 40)),
                FlowerPalette(
                    petalBase: ColorRGB(bytes: 190, 70, 150), petalTip: ColorRGB(bytes: 225, 130, 195),
                    centreInner: ColorRGB(bytes: 210, 150, 20), centreOuter: ColorRGB(bytes: 245, 200, 40)),
            ]),
        FlowerSpecies(
            name: "cornflower-like", shape: .fringed, petalCount: 9...12, layers: 1, petalWidth: 1.0...1.2,
            centreRadius: 0.14...0.18, centre: .stamens, veins: 0.3,
            palettes: [
                FlowerPalette(
                    petalBase: ColorRGB(bytes: 40, 70, 190), petalTip: ColorRGB(bytes: 80, 130, 235),
                    centreInner: ColorRGB(bytes: 40, 20, 90), centreOuter: ColorRGB(bytes: 70, 40, 130)),
                FlowerPalette(
                    petalBase: ColorRGB(bytes: 210, 30, 80), petalTip: ColorRGB(bytes: 245, 110, 140),
                    centreInner: ColorRGB(bytes: 90, 10, 40), centreOuter: ColorRGB(bytes: 140, 30, 70)),
            ]),
        FlowerSpecies(
            name: "dahlia-like", shape: .pointed, petalCount: 10...14, layers: 3, petalWidth: 1.0...1.25,
            centreRadius: 0.1...0.14, centre: .dome, veins: 0.1,
            palettes: [
                FlowerPalette(
                    petalBase: ColorRGB(bytes: 230, 90, 40), petalTip: ColorRGB(bytes: 250, 170, 120),
                    centreInner: ColorRGB(bytes: 230, 200, 60), centreOuter: ColorRGB(bytes: 200, 120, 40)),
                FlowerPalette(
                    petalBase: ColorRGB(bytes: 170, 30, 110), petalTip: ColorRGB(bytes: 240, 170, 210),
                    centreInner: ColorRGB(bytes: 230, 200, 60), centreOuter: ColorRGB(bytes: 170, 60, 90)),
                FlowerPalette(
                    petalBase: ColorRGB(bytes: 245, 235, 215), petalTip: ColorRGB(bytes: 255, 250, 240),
                    centreInner: ColorRGB(bytes: 240, 210, 80), centreOuter: ColorRGB(bytes: 230, 200, 150)),
            ]),
    ]

    /// The species of class `label`: a built-in one, or for labels past the built-in list a
    /// deterministic variant (hue turned by the golden angle, petal count shifted), so that
    /// any class count works and class `k` always looks the same whatever the dataset seed.
    static func forClass(_ label: Int) -> FlowerSpecies {
        let base = builtIn[label % builtIn.count]
        let round = label / builtIn.count
        guard round > 0 else { return base }
        var variant = base
        let hueTurn = Float(round) * 2.3999632  // golden angle: successive variants stay far apart
        variant.palettes = base.palettes.map { $0.hueRotated(hueTurn) }
        let shift = (round % 3) - 1  // -1, 0, +1 petals
        let lo = max(3, base.petalCount.lowerBound + shift), hi = max(lo, base.petalCount.upperBound + shift)
        variant.petalCount = lo...hi
        variant.name = "\(base.name) #\(round + 1)"
        return variant
    }
}
