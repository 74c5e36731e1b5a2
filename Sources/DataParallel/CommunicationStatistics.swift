/// What gradient averaging cost, summed over the steps of a session (this rank's view).
public struct CommunicationStatistics: Sendable, Equatable {
    public var steps = 0
    /// Seconds inside the gradient allreduce calls (partly hidden behind backward).
    public var allreduceSeconds = 0.0
    /// Seconds the step waited for the reductions after its backward had ended: the part of the
    /// communication that overlap did not hide.
    public var exposedSeconds = 0.0
    /// Bytes of gradients (and presence slots) this rank sent into allreduce.
    public var bytes = 0

    public init() {}
}
