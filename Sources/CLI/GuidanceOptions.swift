import ArgumentParser
import Pipeline

/// Classifier-free guidance, the same wherever samples are drawn (`generate`, `compare`).
struct GuidanceOptions: ParsableArguments {
    /// Optional, so that a scale given as 1 can be told from none given: a few-step model refuses
    /// any scale but its distilled one, and takes that one when none is given.
    @Option(
        help:
            "Classifier-free guidance scale (1: conditional model alone; 0: unconditional; default 1, or the one distilled into a few-step model)."
    )
    var guidance: Float?
    @Option(
        help: ArgumentHelp(
            "Apply the guidance only at times in START,END (0: noise, 1: data), the conditional "
                + "model alone elsewhere (default: 0,1, everywhere).", valueName: "start,end"))
    var guidanceInterval: String?

    /// The scale: the one given, else the stages' default.
    var scale: Float { guidance ?? GenerateStage.Options().guidance }

    /// `.guidance` when a scale was given.
    var named: Set<GenerateStage.SamplingOption> { guidance == nil ? [] : [.guidance] }

    /// The interval, checked (nil: everywhere).
    func interval() throws -> ClosedRange<Float>? {
        guard let guidanceInterval else { return nil }
        let parts = guidanceInterval.split(separator: ",").map { Float($0.trimmingCharacters(in: .whitespaces)) }
        guard parts.count == 2, let start = parts[0], let end = parts[1], start >= 0, start <= end, end <= 1 else {
            throw ValidationError(
                "--guidance-interval: expected START,END with 0 ≤ START ≤ END ≤ 1, got '\(guidanceInterval)'")
        }
        return start...end
    }
}
