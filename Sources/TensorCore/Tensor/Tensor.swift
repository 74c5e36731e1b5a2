import Foundation

/// A dense Float32 tensor in row-major (C) order; images are NCHW.
///
/// A value type with copy-on-write storage: copies are cheap until one of them
/// is mutated. Shapes are checked where tensors meet an API, with a message that
/// names the operation and both shapes.
public struct Tensor: @unchecked Sendable {
    public private(set) var shape: [Int]
    @usableFromInline var storage: TensorStorage

    /// Number of elements.
    @inlinable public var count: Int { storage.count }
    @inlinable public var rank: Int { shape.count }

    // MARK: Creation

    /// A tensor whose elements must all be written before they are read (for kernels).
    public init(uninitializedShape shape: [Int]) {
        let n = Tensor.elementCount(of: shape)
        self.shape = shape
        self.storage = TensorStorage(uninitializedCount: n)
    }

    public init(shape: [Int], repeating value: Float) {
        self.shape = shape
        self.storage = TensorStorage(repeating: value, count: Tensor.elementCount(of: shape))
    }

    public init(zeros shape: [Int]) { self.init(shape: shape, repeating: 0) }

    public init(shape: [Int], values: [Float]) {
        let n = Tensor.elementCount(of: shape)
        precondition(values.count == n, "Tensor: \(values.count) values do not fill shape \(shape) (\(n) elements)")
        self.shape = shape
        self.storage = TensorStorage(uninitializedCount: n)
        values.withUnsafeBufferPointer { storage.pointer.update(from: $0.baseAddress!, count: n) }
    }

    /// A rank-0-like scalar stored as shape [1].
    public init(scalar: Float) { self.init(shape: [1], values: [scalar]) }

    public static func elementCount(of shape: [Int]) -> Int {
        var n = 1
        for d in shape {
            precondition(d >= 0, "Tensor: negative dimension in shape \(shape)")
            n *= d
        }
        return n
    }

    // MARK: Access

    public var values: [Float] { Array(UnsafeBufferPointer(start: storage.pointer, count: count)) }

    /// The single element of a one-element tensor.
    public var scalarValue: Float {
        precondition(count == 1, "scalarValue: tensor of shape \(shape) has \(count) elements")
        return storage.pointer[0]
    }

    public subscript(flat index: Int) -> Float {
        get { storage.pointer[index] }
        set {
            ensureUnique()
            storage.pointer[index] = newValue
        }
    }

    @inlinable
    public func withUnsafePointer<R>(_ body: (UnsafePointer<Float>) throws -> R) rethrows -> R {
        try body(UnsafePointer(storage.pointer))
    }

    @inlinable
    public mutating func withUnsafeMutablePointer<R>(_ body: (UnsafeMutablePointer<Float>) throws -> R) rethrows -> R {
        ensureUnique()
        return try body(storage.pointer)
    }

    /// The raw pointer without a uniqueness check: only for kernels writing a tensor they just created.
    @inlinable public var unsafePointer: UnsafeMutablePointer<Float> { storage.pointer }

    @inlinable
    public mutating func ensureUnique() {
        if !isKnownUniquelyReferenced(&storage) { storage = storage.copy() }
    }

    // MARK: Shape

    /// The same elements under another shape (shares storage until written).
    public func reshaped(_ newShape: [Int]) -> Tensor {
        let n = Tensor.elementCount(of: newShape)
        precondition(n == count, "reshape: cannot view \(shape) (\(count) elements) as \(newShape) (\(n) elements)")
        var t = self
        t.shape = newShape
        return t
    }

    /// Dimensions of an NCHW tensor, checked.
    public func nchw(_ op: String) -> (n: Int, c: Int, h: Int, w: Int) {
        precondition(rank == 4, "\(op): expected an NCHW tensor, got shape \(shape)")
        return (shape[0], shape[1], shape[2], shape[3])
    }
}

extension Tensor: Equatable {
    public static func == (a: Tensor, b: Tensor) -> Bool {
        guard a.shape == b.shape else { return false }
        if a.storage === b.storage { return true }
        for i in 0..<a.count where a.storage.pointer[i] != b.storage.pointer[i] { return false }
        return true
    }
}

extension Tensor: CustomStringConvertible {
    public var description: String {
        let preview = values.prefix(8).map { String(format: "%.4g", $0) }.joined(separator: ", ")
        return "Tensor(\(shape): [\(preview)\(count > 8 ? ", …" : "")])"
    }
}
