/// Shape arithmetic shared by the tensor formats.
enum ShapeMath {
    /// Product of the dimensions (1 for a scalar), or nil if one is negative or the product overflows Int.
    static func elementCount(_ shape: [Int]) -> Int? {
        var count = 1
        for d in shape {
            guard d >= 0 else { return nil }
            let (p, overflow) = count.multipliedReportingOverflow(by: d)
            if overflow { return nil }
            count = p
        }
        return count
    }
}
