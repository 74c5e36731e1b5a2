/// The collective operations data-parallel training needs, over the processes of one job.
///
/// Every process must call the same collectives in the same order with the same sizes; the MPI
/// implementation is `MPICommunicator`, tests use fakes.
public protocol Communicator: AnyObject {
    /// This process's rank, 0..<size.
    var rank: Int { get }
    var size: Int { get }
    /// Whether collectives may be called from a thread other than the one that made the
    /// communicator (one at a time): what lets gradient buckets be reduced while backward runs.
    var allowsBackgroundReductions: Bool { get }

    /// Sums `buffer` over all ranks in place: every rank ends with the same sum.
    func allreduceSum(_ buffer: UnsafeMutableBufferPointer<Float>) throws
    func allreduceSum(_ values: inout [Double]) throws
    /// The element-wise maximum over all ranks, in place.
    func allreduceMax(_ values: inout [Double]) throws
    /// Copies rank `root`'s bytes into every rank's buffer (of the same size).
    func broadcast(_ bytes: UnsafeMutableRawBufferPointer, root: Int) throws
    func barrier() throws
}

extension Communicator {
    /// Rank `root`'s values, on every rank.
    public func broadcast(_ values: inout [Int64], root: Int) throws {
        try values.withUnsafeMutableBytes { try broadcast($0, root: root) }
    }

    public func broadcast(_ values: inout [Double], root: Int) throws {
        try values.withUnsafeMutableBytes { try broadcast($0, root: root) }
    }
}
