import Foundation

/// Transformed Winograd weights kept between inference passes.
///
/// Sampling a flow runs the same network 40 times or more with frozen weights, and transforming
/// every 3×3 weight into its 36 (or 16) Winograd matrices on each pass costs about 6 % of the
/// pass. Entries are keyed by the weight buffer and checked against a copy of the weights before
/// reuse, so a weight changed in place (an optimizer step, EMA weights swapped in) is simply a
/// miss: correctness never depends on the caller saying the weights are frozen. The cache is
/// used only inside `reusingTransformedWeights` and with `GradientMode` off, and emptied when
/// the outermost such scope ends, so training (whose weights change every step) never pays for
/// it and no memory outlives the sampling that needed it.
final class WinogradWeightCache: @unchecked Sendable {
    static let shared = WinogradWeightCache()

    /// Beyond this the cache stops taking new entries: the 26.8 M-parameter pixel UNet's would
    /// need about 540 MB; its first layers are cached and the rest transformed as before.
    static let capacityBytes = 256 << 20

    private struct Key: Hashable {
        let weight: UnsafePointer<Float>
        let outChannels, inChannels, tile: Int
        var transformedCount: Int { (tile + 2) * (tile + 2) * outChannels * inChannels }
    }

    private final class Entry {
        let key: Key
        let weights: UnsafeMutablePointer<Float>
        let transformed: UnsafeMutablePointer<Float>
        let weightCount: Int

        init(_ key: Key) {
            self.key = key
            weightCount = key.outChannels * key.inChannels * 9
            weights = .allocate(capacity: weightCount)
            transformed = .allocate(capacity: key.transformedCount)
        }

        /// Whether the weights are those `transformed` was made from.
        func matches(_ weight: UnsafePointer<Float>) -> Bool {
            memcmp(weights, weight, weightCount * MemoryLayout<Float>.stride) == 0
        }

        /// Keeps a copy of `weight` and transforms it.
        func fill(from weight: UnsafePointer<Float>) {
            weights.update(from: weight, count: weightCount)
            WinogradKernel.transformWeights(weight, outChannels: key.outChannels, inChannels: key.inChannels,
                                            forGradient: false, tile: key.tile, into: transformed)
        }

        var bytes: Int { (weightCount + key.transformedCount) * MemoryLayout<Float>.stride }

        deinit {
            weights.deallocate()
            transformed.deallocate()
        }
    }

    private let lock = NSLock()
    private var entries: [Key: Entry] = [:]
    private var bytes = 0
    private var scopes = 0

    /// Whether a `reusingTransformedWeights` scope is open.
    var isActive: Bool {
        lock.lock()
        defer { lock.unlock() }
        return scopes > 0
    }

    func enter() {
        lock.lock()
        scopes += 1
        lock.unlock()
    }

    func leave() {
        lock.lock()
        scopes -= 1
        if scopes == 0 {
            entries.removeAll()
            bytes = 0
        }
        lock.unlock()
    }

    /// Calls `body` with U for `weight` [Cout, Cin, 3, 3] and `tile`, from the cache when the
    /// weights are unchanged since they were transformed, else transformed now (and kept if
    /// there is room). Returns nil without calling `body` when the cache is full and has no entry.
    func withTransformed<R>(_ weight: UnsafePointer<Float>, outChannels: Int, inChannels: Int, tile: Int,
                            _ body: (UnsafePointer<Float>) -> R) -> R? {
        let key = Key(weight: weight, outChannels: outChannels, inChannels: inChannels, tile: tile)
        lock.lock()
        defer { lock.unlock() }
        if let entry = entries[key] {
            if !entry.matches(weight) { entry.fill(from: weight) }
            return body(entry.transformed)
        }
        let entry = Entry(key)
        guard bytes + entry.bytes <= Self.capacityBytes else { return nil }
        entry.fill(from: weight)
        entries[key] = entry
        bytes += entry.bytes
        return body(entry.transformed)
    }
}

/// Runs `body` (inference with weights that do not change, such as the many network passes of
/// an ODE sampler) with each 3×3 convolution's Winograd-transformed weights computed once and
/// reused; they are released when the outermost such call returns.
public func reusingTransformedWeights<R>(_ body: () throws -> R) rethrows -> R {
    WinogradWeightCache.shared.enter()
    defer { WinogradWeightCache.shared.leave() }
    return try body()
}
