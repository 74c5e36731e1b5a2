import Foundation
import LatentFlow
import TensorCore

/// v(x, t, d) = a(t, d)·x + b(t, d) elementwise: linear in x, with coefficients that depend on
/// time and step size, so a target that takes the second half step at the wrong time or size
/// comes out different.
final class LinearVelocityModel: StepConditionedVelocityModel {
    let nullClass = 1
    func a(_ t: Float, _ d: Float) -> Float { 0.5 + t - 0.75 * d }
    func b(_ t: Float, _ d: Float) -> Float { 0.3 * d + 0.2 * t }

    func velocity(_ x: Tensor, times: [Float], classes: [Int], stepSizes: [Float]) -> Tensor {
        let out = Tensor(uninitializedShape: x.shape)
        let per = x.count / times.count
        for i in 0..<times.count {
            let (a, b) = (a(times[i], stepSizes[i]), b(times[i], stepSizes[i]))
            for j in (i * per)..<((i + 1) * per) { out.unsafePointer[j] = a * x.unsafePointer[j] + b }
        }
        return out
    }
}

/// The exact shortcut of the linear flow dx/dt = rate·x: the jump of size d from any time is
/// x·(e^{rate·d} − 1)/d, and at d = 0 the velocity rate·x. A perfectly trained student.
final class ExactShortcutOfLinearFlow: StepConditionedVelocityModel {
    let nullClass = 1
    let rate: Float
    /// true: ignores d and returns the instantaneous velocity, as a model without the input would.
    let ignoresStepSize: Bool
    init(rate: Float, ignoresStepSize: Bool = false) {
        self.rate = rate
        self.ignoresStepSize = ignoresStepSize
    }

    func velocity(_ x: Tensor, times: [Float], classes: [Int], stepSizes: [Float]) -> Tensor {
        let out = Tensor(uninitializedShape: x.shape)
        let per = x.count / times.count
        for i in 0..<times.count {
            let d = Double(ignoresStepSize ? 0 : stepSizes[i])
            let factor = d == 0 ? rate : Float(Foundation.expm1(Double(rate) * d) / d)
            for j in (i * per)..<((i + 1) * per) { out.unsafePointer[j] = factor * x.unsafePointer[j] }
        }
        return out
    }
}
