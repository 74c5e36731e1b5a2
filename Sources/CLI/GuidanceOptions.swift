import ArgumentParser
import Pipeline

/// Classifier-free guidance, the same wherever samples are drawn (`generate`, `compare`).
struct GuidanceOptions: ParsableArguments {
    @Option(help: "Classifier-free guidance scale (1: conditional model alone; 0: unconditional).")
    var guidance = GenerateStage.Options().guidance
    @Option(
        help: ArgumentHelp(
            "Apply the guidance only at times in START,END (0: noise, 1: data), the conditional "
                + "model alone elsewhere (default: 0,1, everywhere).", valueName: "start,end"))
    var guidanceInterval: String?

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
