/// Stops with `message` when an operation is called with shapes or settings it cannot take.
///
/// Unlike `precondition`, which release builds compiled with -Ounchecked assume true without
/// evaluating, this check always runs: a wrong shape must end with a message that names the
/// operation and the shapes, never with a kernel reading or writing out of bounds.
@inline(__always)
func requireShape(_ condition: Bool, _ message: @autoclosure () -> String) {
    if !condition { fatalError(message()) }
}

/// The dimensions of an NCHW input, with the rank checked in every build configuration.
@inline(__always)
func nchwDimensions(_ x: Variable, _ operation: String) -> (n: Int, c: Int, h: Int, w: Int) {
    requireShape(x.shape.count == 4, "\(operation): expected an NCHW tensor, got shape \(x.shape)")
    return (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
}
