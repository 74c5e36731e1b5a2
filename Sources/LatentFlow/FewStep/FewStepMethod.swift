/// How a trained flow is turned into a few-step generator.
///
/// - `reflow` (Liu et al. 2022, "Flow Straight and Fast"): the teacher's ODE couples each noise
///   z with an endpoint T(z); a student trained by flow matching on those fixed pairs learns a
///   flow whose paths are nearly straight, so a few Euler steps land close to T(z).
/// - `shortcut` (Frans et al. 2024, "One Step Diffusion via Shortcut Models"): the network also
///   takes the step size d and learns s(x, t, d), the step that lands where the flow goes in
///   time d; a step of 2d is taught by two of its own steps of d (self-consistency), d = 0 by
///   flow matching. Here the flow-matching part trains on the same teacher pairs as reflow.
public enum FewStepMethod: String, Codable, CaseIterable, Sendable {
    case reflow
    case shortcut

    /// Whether the network takes the step size as an input.
    public var conditionsOnStepSize: Bool { self == .shortcut }
}
