/// Release builds compile with -Ounchecked, under which the standard library's `precondition`
/// and `preconditionFailure` are assumed to hold and never evaluated. Shape checks at the API
/// boundary must run in every build — a wrong shape has to stop with a message naming the op
/// and the shapes, not let a kernel read out of bounds — so inside TensorCore these names refer
/// to always-checked versions. Keep them out of inner loops.
@inlinable @inline(__always)
func precondition(
    _ condition: @autoclosure () -> Bool, _ message: @autoclosure () -> String = String(),
    file: StaticString = #fileID, line: UInt = #line
) {
    if !condition() { fatalError(message(), file: file, line: line) }
}

@inlinable @inline(__always)
func preconditionFailure(
    _ message: @autoclosure () -> String = String(),
    file: StaticString = #fileID, line: UInt = #line
) -> Never {
    fatalError(message(), file: file, line: line)
}
