/// Row lookup in an embedding table: [num, dim] table → [ids.count, dim]. The gradient adds each
/// output row back into the row it came from, so repeated ids accumulate.
public func embedding(_ ids: [Int], table: Variable) -> Variable {
    precondition(table.shape.count == 2, "embedding: table must be [count, dimension], got \(table.shape)")
    let rows = table.shape[0], d = table.shape[1]
    for id in ids {
        precondition(id >= 0 && id < rows, "embedding: id \(id) is outside the table's \(rows) rows")
    }
    let tv = table.value
    let out = Tensor(uninitializedShape: [ids.count, d])
    let tp = tv.unsafePointer, op = out.unsafePointer
    for (i, id) in ids.enumerated() { (op + i * d).update(from: tp + id * d, count: d) }
    return Variable.result(out, operation: "embedding", inputs: [table]) { g in
        let grad = Tensor(zeros: [rows, d])
        let gp = g.unsafePointer, dp = grad.unsafePointer
        for (i, id) in ids.enumerated() {
            let src = gp + i * d, dst = dp + id * d
            for j in 0..<d { dst[j] += src[j] }
        }
        return [grad]
    }
}
