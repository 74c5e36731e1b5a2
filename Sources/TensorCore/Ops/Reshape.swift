extension Variable {
    /// The same elements under another shape; the gradient is reshaped back.
    public func reshaped(_ shape: [Int]) -> Variable {
        let original = self.shape
        return Variable.result(value.reshaped(shape), operation: "reshape", inputs: [self]) { g in
            [g.reshaped(original)]
        }
    }

    /// Collapses every dimension after the first: [N, ...] → [N, rest].
    public func flattened() -> Variable {
        reshaped([shape[0], value.count / Swift.max(shape[0], 1)])
    }
}
