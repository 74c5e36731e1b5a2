/// The 1-Wasserstein distance between two empirical distributions on the line, exactly:
/// ∫₀¹ |Q_a(u) − Q_b(u)| du over their quantile functions. With equal sample counts this is the
/// mean absolute difference of the sorted samples (the ProGAN SWD formula); with unequal counts
/// the quantile steps are merged, so generated and real sets need not be the same size.
enum EmpiricalWasserstein {
    static func distance(sorted a: UnsafePointer<Float>, count n: Int, sorted b: UnsafePointer<Float>, count m: Int)
        -> Double
    {
        precondition(n > 0 && m > 0, "EmpiricalWasserstein: empty sample")
        if n == m {
            var sum: Double = 0
            var partial: Float = 0
            for i in 0..<n {
                partial += abs(a[i] - b[i])
                // Float partial sums over short runs, then Double: fast and accurate.
                if i & 1023 == 1023 {
                    sum += Double(partial)
                    partial = 0
                }
            }
            return (sum + Double(partial)) / Double(n)
        }
        // Walk the merged breakpoints i/n and j/m; compare them as integers (i·m vs j·n).
        var i = 0, j = 0
        var previous = 0  // current position u, scaled by n·m
        var total: Double = 0
        while i < n && j < m {
            let nextA = (i + 1) * m, nextB = (j + 1) * n
            let next = min(nextA, nextB)
            total += Double(next - previous) * Double(abs(a[i] - b[j]))
            previous = next
            if nextA == next { i += 1 }
            if nextB == next { j += 1 }
        }
        return total / Double(n * m)
    }
}
