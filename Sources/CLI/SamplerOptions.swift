import ArgumentParser
import LatentFlow

/// The ODE sampler's options, the same wherever samples are drawn (`generate`, `compare`).
struct SamplerOptions: ParsableArguments {
    @Option(help: "ODE solver: euler, midpoint, heun, rk4 or dopri5.")
    var sampler: ODEMethod = .heun
    @Option(help: "Steps of a fixed-step solver.")
    var steps = 20
    @Option(help: "dopri5 relative tolerance.")
    var rtol = 1e-3
    @Option(help: "dopri5 absolute tolerance.")
    var atol = 1e-3
    @Option(help: "Time-grid shift (1: uniform; > 1: smaller steps near the noise).")
    var shift: Float = 1

    var settings: SamplerSettings {
        SamplerSettings(method: sampler, steps: steps, relativeTolerance: rtol, absoluteTolerance: atol, shift: shift)
    }
}
