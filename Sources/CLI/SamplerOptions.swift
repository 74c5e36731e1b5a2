import ArgumentParser
import LatentFlow
import Pipeline

/// The ODE sampler's options, the same wherever samples are drawn (`generate`, `compare`).
struct SamplerOptions: ParsableArguments {
    /// `SamplerSettings`' defaults are the only ones: the options below take theirs from it.
    static let defaults = SamplerSettings()

    /// Optional, so that Heun named can be told from Heun by default (a few-step model refuses a named solver).
    @Option(help: "ODE solver: euler, midpoint, heun, rk4 or dopri5 (default heun; a few-step model takes its own).")
    var sampler: ODEMethod?
    @Option(help: "Steps of a fixed-step solver.")
    var steps = Self.defaults.steps
    @Option(help: "dopri5 relative tolerance.")
    var rtol = Self.defaults.relativeTolerance
    @Option(help: "dopri5 absolute tolerance.")
    var atol = Self.defaults.absoluteTolerance
    @Option(help: "Time-grid shift (1: uniform; > 1: smaller steps near the noise).")
    var shift = Self.defaults.shift

    var settings: SamplerSettings {
        SamplerSettings(
            method: sampler ?? Self.defaults.method, steps: steps, relativeTolerance: rtol, absoluteTolerance: atol,
            shift: shift)
    }

    /// `.sampler` when a solver was named.
    var named: Set<GenerateStage.SamplingOption> { sampler == nil ? [] : [.sampler] }
}
