/// Fixed-step grids for fields that switch at given times (see `PiecewiseVelocityField`).
extension SamplerSettings {
    /// t0, the switches strictly between t0 and t1 in the order of integration (each once), t1:
    /// the ends of the pieces over which the field is smooth.
    public static func pieceEnds(from t0: Float, to t1: Float, switches: [Float]) -> [Float] {
        let direction: Float = t1 >= t0 ? 1 : -1
        let inside = Set(switches.filter { ($0 - t0) * direction > 0 && (t1 - $0) * direction > 0 })
        return [t0] + inside.sorted { ($0 - $1) * direction < 0 } + [t1]
    }

    /// The fixed-step grid from t0 to t1 with every switch on it, so that no step straddles one.
    ///
    /// A switch is aligned rather than added where it can be: the nearest grid time moves onto
    /// it (the grid stays increasing, since the switch lies between that time's neighbours), so
    /// the step count and cost stay as asked. Only when the nearest time is an end of the
    /// integration, or already holds another switch, is the step that straddles the switch split
    /// in two (one step more). A switch already on the grid changes nothing.
    public func grid(from t0: Float = 0, to t1: Float = 1, through switches: [Float]) -> [Float] {
        var grid = grid(from: t0, to: t1)
        let direction: Float = t1 >= t0 ? 1 : -1
        var pinned: Set<Float> = [t0, t1]
        for s in Self.pieceEnds(from: t0, to: t1, switches: switches).dropFirst().dropLast() {
            defer { pinned.insert(s) }
            if grid.contains(s) { continue }
            // s lies strictly inside, so some grid time (at the latest t1) is past it.
            guard let after = grid.firstIndex(where: { ($0 - s) * direction > 0 }), after > 0 else { continue }
            let before = after - 1
            let nearest = abs(grid[before] - s) <= abs(grid[after] - s) ? before : after
            if pinned.contains(grid[nearest]) {
                grid.insert(s, at: after)
            } else {
                grid[nearest] = s
            }
        }
        return grid
    }
}
