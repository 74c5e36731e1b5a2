/// What one training batch tells a codebook level: per code, how many vectors were assigned to it
/// and their sum. The EMA step learns from these alone, so data-parallel ranks can sum theirs and
/// every rank then takes the step one process would take on the whole batch.
public struct CodebookBatchStatistics: Equatable, Sendable {
    /// [K] vectors assigned to each code.
    public var counts: [Double]
    /// [K·D] sums of the vectors assigned to each code, row by row.
    public var sums: [Double]

    /// Empty statistics (no vector assigned) of a level of `codes` codes of `dimension`.
    public init(codes: Int, dimension: Int) {
        counts = Array(repeating: 0, count: codes)
        sums = Array(repeating: 0, count: codes * dimension)
    }

    public init(counts: [Double], sums: [Double]) {
        self.counts = counts
        self.sums = sums
    }
}
