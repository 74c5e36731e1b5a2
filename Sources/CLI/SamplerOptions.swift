import ArgumentParser
import LatentFlow

/// The ODE sampler's options, the same wherever samples are drawn (`generate`, `compare`).
struct SamplerOptions: ParsableArguments {
    /// `SamplerSettings`' defaults are the only ones: the options below take theirs from it.
    static let defaults = SamplerSettings()

    @Option(help: "ODE solver: euler, midpoint, heun, rk4 or dopri5.")
    var sampler = Self.defaults.method
    @Option(help: "Steps of a fixed-step solver.")
    var steps = Self.defaults.steps
    @Option(help: "dopri5 relative tolerance.")
    var rtol = Self.defaults.relativeTolerance
    @Option(help: "dopri5 absolute tolerance.")
    var atol = Self.defaults.absoluteTolerance
    @Option(help: "Time-grid shift (1: uniform; > 1: smaller steps near the noise).")
    var shift = Self.defaults.shift

    var settings: SamplerSettings {
        SamplerSettings(method: sampler, steps: steps, relativeTolerance: rtol, absoluteTolerance: atol, shift: shift)
    }
}
