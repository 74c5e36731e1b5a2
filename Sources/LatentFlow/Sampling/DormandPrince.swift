import Foundation
import TensorCore

/// The adaptive Dormand–Prince 5(4) method (Dormand & Prince 1980; the `dopri5`/`ode45` of
/// Hairer, Nørsett & Wanner): a fifth-order step with an embedded fourth-order estimate of its
/// local error, accepted when the error is within the tolerances, and a step size controlled
/// from that error. The last stage is the first of the next step (FSAL), so an accepted step
/// costs 6 evaluations.
enum DormandPrince {
    static let c: [Float] = [0, 1.0 / 5, 3.0 / 10, 4.0 / 5, 8.0 / 9, 1, 1]
    static let a: [[Float]] = [
        [],
        [1.0 / 5],
        [3.0 / 40, 9.0 / 40],
        [44.0 / 45, -56.0 / 15, 32.0 / 9],
        [19372.0 / 6561, -25360.0 / 2187, 64448.0 / 6561, -212.0 / 729],
        [9017.0 / 3168, -355.0 / 33, 46732.0 / 5247, 49.0 / 176, -5103.0 / 18656],
        [35.0 / 384, 0, 500.0 / 1113, 125.0 / 192, -2187.0 / 6784, 11.0 / 84],
    ]
    /// Fifth-order weights minus the embedded fourth-order ones (the error estimate).
    static let errorWeights: [Float] = [
        71.0 / 57600, 0, -71.0 / 16695, 71.0 / 1920, -17253.0 / 339200, 22.0 / 525, -1.0 / 40,
    ]

    /// The smallest step the controller may ask for before the field counts as too stiff.
    static let minimumStep: Float = 1e-7

    static func integrate(
        _ start: Tensor, from t0: Float, to t1: Float, settings: SamplerSettings,
        field: VelocityField
    ) throws -> IntegrationResult {
        let rtol = settings.relativeTolerance, atol = settings.absoluteTolerance
        let span = t1 - t0
        guard span != 0 else {
            return IntegrationResult(state: start, evaluations: 0, acceptedSteps: 0, rejectedSteps: 0)
        }
        let direction: Float = span > 0 ? 1 : -1
        var x = start, t = t0
        var k1 = try field(x, t)
        // The controller's step; each step taken is this one, shortened if it would pass t1.
        var h = try initialStep(x, k1, t: t, direction: direction, rtol: rtol, atol: atol, field: field) * direction
        var accepted = 0, rejected = 0
        while (t1 - t) * direction > 0 {
            guard accepted + rejected < settings.maximumSteps else {
                throw FlowTrainingError(
                    "dopri5 needed more than \(settings.maximumSteps) steps for rtol \(rtol), atol \(atol); "
                        + "loosen the tolerances or raise the step limit")
            }
            // The floor judges the step the controller asks for, never the last one shortened to
            // land on t1: that one may be a few ulps long and says nothing about stiffness.
            guard abs(h) > minimumStep else {
                throw FlowTrainingError(
                    "dopri5: the step size fell below \(minimumStep) at t = \(t); the velocity field is too stiff")
            }
            let step = (t + h - t1) * direction > 0 ? t1 - t : h
            var k = [k1]
            for stage in 1..<7 {
                let terms = (0..<stage).map { (step * a[stage][$0], k[$0]) }
                k.append(try field(Tensor.combination(x, terms), stage == 6 ? t + step : t + c[stage] * step))
            }
            // Stage 7 was evaluated at the fifth-order solution, which is the combination of row 6.
            let next = Tensor.combination(x, (0..<6).map { (step * a[6][$0], k[$0]) })
            let error = Tensor.combination(Tensor(zeros: x.shape), (0..<7).map { (step * errorWeights[$0], k[$0]) })
            let norm = errorNorm(error, x, next, rtol: rtol, atol: atol)
            guard norm.isFinite else {
                throw FlowTrainingError("dopri5: the velocity became non-finite at t = \(t)")
            }
            let factor = Float(min(5, max(0.2, 0.9 * pow(max(norm, 1e-10), -0.2))))
            if norm <= 1 {
                x = next
                t = abs(t1 - (t + step)) < 1e-7 * max(1, abs(t1)) ? t1 : t + step
                k1 = k[6]
                accepted += 1
                h = step * factor
            } else {
                rejected += 1
                h = step * min(1, factor)
            }
        }
        return IntegrationResult(state: x, evaluations: 0, acceptedSteps: accepted, rejectedSteps: rejected)
    }

    /// RMS over elements of error / (atol + rtol·max(|x|, |x_next|)).
    static func errorNorm(_ error: Tensor, _ x: Tensor, _ next: Tensor, rtol: Double, atol: Double) -> Double {
        let e = error.unsafePointer, p = x.unsafePointer, q = next.unsafePointer
        var total = 0.0
        for i in 0..<error.count {
            let scale = atol + rtol * Double(max(abs(p[i]), abs(q[i])))
            let r = Double(e[i]) / scale
            total += r * r
        }
        return (total / Double(max(error.count, 1))).squareRoot()
    }

    /// Hairer's starting step: from the sizes of x, v and a finite-difference estimate of the
    /// second derivative (one extra evaluation).
    static func initialStep(
        _ x: Tensor, _ v: Tensor, t: Float, direction: Float, rtol: Double, atol: Double,
        field: VelocityField
    ) throws -> Float {
        func norm(_ y: Tensor) -> Double {
            let p = y.unsafePointer, s = x.unsafePointer
            var total = 0.0
            for i in 0..<y.count {
                let r = Double(p[i]) / (atol + rtol * Double(abs(s[i])))
                total += r * r
            }
            return (total / Double(max(y.count, 1))).squareRoot()
        }
        let d0 = norm(x), d1 = norm(v)
        let h0 = (d0 < 1e-5 || d1 < 1e-5) ? 1e-6 : 0.01 * d0 / d1
        let probe = Tensor.combination(x, [(Float(h0) * direction, v)])
        let v1 = try field(probe, t + Float(h0) * direction)
        let d2 = norm(Tensor.combination(v1, [(-1, v)])) / h0
        let h1 = max(d1, d2) <= 1e-15 ? max(1e-6, h0 * 1e-3) : pow(0.01 / max(d1, d2), 0.2)
        return Float(min(100 * h0, h1))
    }
}
