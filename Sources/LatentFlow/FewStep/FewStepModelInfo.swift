import FileFormats
import Foundation

/// What a few-step model's file says about how to sample it, in the model's `info` (keys
/// `few_step_*`): the method, the step counts it was trained for, and the guidance baked into
/// it. `pipeline generate` picks the few-step sampler when a model has these keys.
public struct FewStepModelInfo: Equatable, Sendable {
    public var method: FewStepMethod
    /// Shortcut models: the finest step trained, as a count of steps over [0, 1] (a power of two);
    /// they sample in any power-of-two count up to it. Reflow models: the most Euler steps offered.
    public var maximumSteps: Int
    /// The classifier-free guidance scale and interval of the teacher field the pairs came from:
    /// the student draws that guided field in one pass per step and cannot change it.
    public var guidance: Float
    public var guidanceInterval: ClosedRange<Float>

    static let methodKey = "few_step_method", stepsKey = "few_step_maximum_steps",
        guidanceKey = "few_step_guidance", intervalKey = "few_step_guidance_interval"

    public init(method: FewStepMethod, maximumSteps: Int, guidance: Float, guidanceInterval: ClosedRange<Float>) {
        self.method = method
        self.maximumSteps = maximumSteps
        self.guidance = guidance
        self.guidanceInterval = guidanceInterval
    }

    /// The step counts this model samples in: powers of two up to `maximumSteps` for shortcut
    /// models (the step sizes they were trained on), any count up to it for reflow (Euler on a
    /// nearly straight flow).
    public func supports(steps: Int) -> Bool {
        guard steps >= 1 && steps <= maximumSteps else { return false }
        return method == .reflow || steps & (steps - 1) == 0
    }

    public var supportedStepsText: String {
        method == .reflow
            ? "1…\(maximumSteps)"
            : (0...Int.bitWidth).lazy.map { 1 << $0 }.prefix { $0 <= maximumSteps }.map(String.init).joined(
                separator: ", ")
    }

    /// The entries to merge into a model's `info`.
    public var infoEntries: [String: String] {
        [
            Self.methodKey: method.rawValue, Self.stepsKey: String(maximumSteps), Self.guidanceKey: "\(guidance)",
            Self.intervalKey: "\(guidanceInterval.lowerBound),\(guidanceInterval.upperBound)",
        ]
    }

    /// Reads the entries back: nil for a model without them (an ordinary flow); an error naming
    /// `source` when they are there but wrong.
    public init?(info: [String: String], source: String) throws {
        guard let methodText = info[Self.methodKey] else { return nil }
        func bad(_ message: String) -> FileFormatError {
            FileFormatError(.malformed, path: source, "few-step model: \(message)")
        }
        guard let method = FewStepMethod(rawValue: methodText) else {
            throw bad(
                "info '\(Self.methodKey)' is '\(methodText)', expected one of \(FewStepMethod.allCases.map(\.rawValue))"
            )
        }
        guard let steps = info[Self.stepsKey].flatMap(Int.init), steps >= 1, steps <= 1 << 20 else {
            throw bad(
                "info '\(Self.stepsKey)' is \(info[Self.stepsKey].map { "'\($0)'" } ?? "absent"), expected a positive count"
            )
        }
        guard method == .reflow || steps & (steps - 1) == 0 else {
            throw bad("info '\(Self.stepsKey)' is \(steps); a shortcut model's step counts are powers of two")
        }
        guard let guidance = info[Self.guidanceKey].flatMap(Float.init), guidance.isFinite else {
            throw bad(
                "info '\(Self.guidanceKey)' is \(info[Self.guidanceKey].map { "'\($0)'" } ?? "absent"), expected a number"
            )
        }
        let ends = (info[Self.intervalKey] ?? "").split(separator: ",").compactMap { Float($0) }
        guard ends.count == 2, ends[0] >= 0, ends[0] <= ends[1], ends[1] <= 1 else {
            throw bad(
                "info '\(Self.intervalKey)' is \(info[Self.intervalKey].map { "'\($0)'" } ?? "absent"), expected START,END in 0...1"
            )
        }
        self.init(method: method, maximumSteps: steps, guidance: guidance, guidanceInterval: ends[0]...ends[1])
    }
}
