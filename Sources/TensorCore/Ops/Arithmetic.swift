/// Addition, subtraction and multiplication with broadcasting, and scalar arithmetic.
/// The gradient of a broadcast operand is summed back down to its own shape.

@inline(__always)
func broadcastBinary(
    _ a: Tensor, _ b: Tensor, _ op: String,
    _ f: (Float, Float) -> Float
) -> Tensor {
    if a.shape == b.shape { return a.zipMap(b, f) }
    guard let plan = BroadcastPlan(a.shape, b.shape) else {
        preconditionFailure("\(op): shapes \(a.shape) and \(b.shape) do not broadcast")
    }
    let out = Tensor(uninitializedShape: plan.outputShape)
    let pa = a.unsafePointer
    let pb = b.unsafePointer
    let po = out.unsafePointer
    plan.forEachRun { oa, ob, oo, n, sa, sb in
        if sa == 1 && sb == 0 {
            let bv = pb[ob]
            for i in 0..<n { po[oo + i] = f(pa[oa + i], bv) }
        } else if sa == 0 && sb == 1 {
            let av = pa[oa]
            for i in 0..<n { po[oo + i] = f(av, pb[ob + i]) }
        } else {
            for i in 0..<n { po[oo + i] = f(pa[oa + i * sa], pb[ob + i * sb]) }
        }
    }
    return out
}

public func + (a: Variable, b: Variable) -> Variable {
    let out = broadcastBinary(a.value, b.value, "add", +)
    let sa = a.shape, sb = b.shape
    return Variable.result(out, operation: "add", inputs: [a, b]) { g in
        [g.summed(toShape: sa), g.summed(toShape: sb)]
    }
}

public func - (a: Variable, b: Variable) -> Variable {
    let out = broadcastBinary(a.value, b.value, "subtract", -)
    let sa = a.shape, sb = b.shape
    return Variable.result(out, operation: "subtract", inputs: [a, b]) { g in
        [g.summed(toShape: sa), g.map { -$0 }.summed(toShape: sb)]
    }
}

public func * (a: Variable, b: Variable) -> Variable {
    let av = a.value, bv = b.value
    let out = broadcastBinary(av, bv, "multiply", *)
    let needA = a.requiresGrad, needB = b.requiresGrad
    return Variable.result(out, operation: "multiply", inputs: [a, b]) { g in
        [
            needA ? broadcastBinary(g, bv, "multiply backward", *).summed(toShape: av.shape) : nil,
            needB ? broadcastBinary(g, av, "multiply backward", *).summed(toShape: bv.shape) : nil,
        ]
    }
}

public func * (a: Variable, s: Float) -> Variable {
    Variable.result(a.value.scaled(s), operation: "scale", inputs: [a]) { g in [g.scaled(s)] }
}

public func * (s: Float, a: Variable) -> Variable { a * s }

public func + (a: Variable, s: Float) -> Variable {
    Variable.result(a.value.map { $0 + s }, operation: "add scalar", inputs: [a]) { g in [g] }
}

public prefix func - (a: Variable) -> Variable { a * -1 }
