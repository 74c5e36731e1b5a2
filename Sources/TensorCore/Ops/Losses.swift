/// Mean squared error over all elements: mean((prediction − target)²).
/// Gradients flow to both arguments (a target that needs none simply gets none).
public func mseLoss(_ prediction: Variable, _ target: Variable) -> Variable {
    let p = prediction.value, t = target.value
    precondition(p.shape == t.shape, "mseLoss: prediction \(p.shape) and target \(t.shape) differ")
    let n = p.count
    let total = p.zipMap(t, -).squaredNorm()
    let loss = Tensor(scalar: Float(total / Double(Swift.max(n, 1))))
    return Variable.result(loss, operation: "mse", inputs: [prediction, target]) { g in
        let k = 2 * g.scalarValue / Float(Swift.max(n, 1))
        let d = p.zipMap(t) { ($0 - $1) * k }
        return [d, d.scaled(-1)]
    }
}
