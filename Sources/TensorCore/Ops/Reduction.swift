extension Variable {
    /// Sum of all elements, as a one-element tensor.
    public func sum() -> Variable {
        let shape = self.shape
        return Variable.result(Tensor(scalar: Float(value.sum())), operation: "sum", inputs: [self]) { g in
            [Tensor(shape: shape, repeating: g.scalarValue)]
        }
    }

    /// Mean of all elements, as a one-element tensor.
    public func mean() -> Variable {
        let shape = self.shape
        let n = Float(Swift.max(value.count, 1))
        return Variable.result(Tensor(scalar: Float(value.sum() / Double(n))), operation: "mean", inputs: [self]) { g in
            [Tensor(shape: shape, repeating: g.scalarValue / n)]
        }
    }
}
