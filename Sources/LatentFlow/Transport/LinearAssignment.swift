/// Exact solution of the square linear assignment problem: a permutation σ minimising
/// Σᵢ cost[i][σ(i)].
///
/// The shortest-augmenting-path method (Jonker & Volgenant 1987; the Hungarian method in its
/// O(n³) form): rows are added one at a time, and each is matched by a Dijkstra-like search over
/// reduced costs `cost − u[row] − v[column]`, whose dual potentials u, v keep every reduced cost
/// non-negative, so the matching stays optimal after each augmentation. For the minibatch sizes
/// of flow matching (n ≤ 256) this takes well under a millisecond to a few milliseconds.
public enum LinearAssignment {
    /// `cost` is row-major `size × size`. Returns `assignment` with `assignment[row]` = column.
    /// If a cost is not finite (NaN or infinite), no pairing can be trusted and the identity is
    /// returned.
    public static func solve(cost: [Double], size n: Int) -> [Int] {
        precondition(n >= 0 && cost.count == n * n, "LinearAssignment: \(cost.count) costs for a \(n)×\(n) problem")
        guard n > 1 else { return Array(0..<n) }
        guard cost.allSatisfy({ $0.isFinite }) else { return Array(0..<n) }

        // 1-based arrays with a sentinel column 0 that holds the row being inserted.
        var u = [Double](repeating: 0, count: n + 1)
        var v = [Double](repeating: 0, count: n + 1)
        var rowOfColumn = [Int](repeating: 0, count: n + 1)
        var previousColumn = [Int](repeating: 0, count: n + 1)
        var minimum = [Double](repeating: 0, count: n + 1)
        var used = [Bool](repeating: false, count: n + 1)

        for row in 1...n {
            rowOfColumn[0] = row
            var column = 0
            for j in 0...n {
                minimum[j] = .infinity
                used[j] = false
            }
            // Grow a tree of tight edges until it reaches a free column.
            repeat {
                used[column] = true
                let i = rowOfColumn[column]
                var delta = Double.infinity
                var next = 0
                let rowBase = (i - 1) * n
                for j in 1...n where !used[j] {
                    let reduced = cost[rowBase + j - 1] - u[i] - v[j]
                    if reduced < minimum[j] {
                        minimum[j] = reduced
                        previousColumn[j] = column
                    }
                    if minimum[j] < delta {
                        delta = minimum[j]
                        next = j
                    }
                }
                for j in 0...n {
                    if used[j] {
                        u[rowOfColumn[j]] += delta
                        v[j] -= delta
                    } else {
                        minimum[j] -= delta
                    }
                }
                column = next
            } while rowOfColumn[column] != 0
            // Augment: shift the matching along the path back to the sentinel.
            repeat {
                let previous = previousColumn[column]
                rowOfColumn[column] = rowOfColumn[previous]
                column = previous
            } while column != 0
        }

        var assignment = [Int](repeating: 0, count: n)
        for j in 1...n { assignment[rowOfColumn[j] - 1] = j - 1 }
        return assignment
    }

    /// The total cost of an assignment.
    public static func totalCost(_ cost: [Double], size n: Int, assignment: [Int]) -> Double {
        assignment.enumerated().reduce(0) { $0 + cost[$1.offset * n + $1.element] }
    }
}
