import TensorCore

/// The random projection directions of one pyramid level: `repeats × perRepeat` unit vectors in
/// the descriptor space, drawn from a standard normal and normalised (uniform on the sphere),
/// one row per direction. Each repeat has its own stream (seed, level, repeat).
enum RandomDirections {
    static func make(dimension: Int, level: Int, options: SlicedWassersteinOptions) -> [Float] {
        let perRepeat = options.directionsPerRepeat
        var directions = [Float](repeating: 0, count: options.directionCount * dimension)
        for r in 0..<options.directionRepeats {
            var random = SeedMixing.generator(options.seed, StreamTag.swdDirections.rawValue, UInt64(level), UInt64(r))
            for j in 0..<perRepeat {
                let row = (r * perRepeat + j) * dimension
                var norm: Double = 0
                for k in 0..<dimension {
                    let v = random.normal()
                    directions[row + k] = v
                    norm += Double(v) * Double(v)
                }
                let scale = Float(1 / norm.squareRoot())
                for k in 0..<dimension { directions[row + k] *= scale }
            }
        }
        return directions
    }
}
