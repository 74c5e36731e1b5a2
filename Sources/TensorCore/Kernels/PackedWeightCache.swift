import Foundation

/// Convolution weights prepared for `PackedGEMM` and kept between inference passes.
///
/// Sampling a flow runs the same network 40 times or more with frozen weights. Each 3×3
/// convolution's weights are Winograd-transformed into 36 (or 16) matrices and packed, every
/// other convolution's [Cout, Cin·kh·kw] matrix is packed; doing that once per `generate`
/// instead of once per pass saves about 6 % of a pass. Entries are keyed by the weight buffer
/// and checked against a copy of the weights before reuse, so a weight changed in place (an
/// optimizer step, EMA weights swapped in) is simply a miss: correctness never depends on the
/// caller saying the weights are frozen. The cache is used only inside
/// `reusingTransformedWeights` and with `GradientMode` off, and emptied when the outermost such
/// scope ends, so training (whose weights change every step) never pays for it and no memory
/// outlives the sampling that needed it.
final class PackedWeightCache: @unchecked Sendable {
    static let shared = PackedWeightCache()

    /// Beyond this the cache stops taking new entries: the 26.8 M-parameter pixel UNet's would
    /// need about 540 MB; its first layers are cached and the rest prepared per pass as before.
    static let capacityBytes = 256 << 20

    /// How a weight [Cout, Cin, kh, kw] is prepared.
    enum Form: Hashable {
        /// Winograd F(tile×tile, 3×3): `WinogradKernel.transformAndPackWeights`.
        case winograd(tile: Int)
        /// The [Cout, Cin·kh·kw] matrix of im2col, packed as it is.
        case matrix
    }

    private struct Key: Hashable {
        let weight: UnsafePointer<Float>
        let outChannels: Int
        /// Cin for Winograd (3×3 kernels), Cin·kh·kw for a matrix.
        let columns: Int
        let form: Form

        var weightCount: Int {
            if case .winograd = form { return outChannels * columns * 9 }
            return outChannels * columns
        }

        var preparedCount: Int {
            switch form {
            case .winograd(let tile):
                return (tile + 2) * (tile + 2) * PackedGEMM.packedCount(m: outChannels, k: columns)
            case .matrix: return PackedGEMM.packedCount(m: outChannels, k: columns)
            }
        }
    }

    private final class Entry {
        let key: Key
        let weights: UnsafeMutablePointer<Float>
        let prepared: UnsafeMutablePointer<Float>

        init(_ key: Key) {
            self.key = key
            weights = .allocate(capacity: key.weightCount)
            prepared = .allocate(capacity: key.preparedCount)
        }

        /// Whether the weights are those `prepared` was made from.
        func matches(_ weight: UnsafePointer<Float>) -> Bool {
            memcmp(weights, weight, key.weightCount * MemoryLayout<Float>.stride) == 0
        }

        /// Keeps a copy of `weight` and prepares it.
        func fill(from weight: UnsafePointer<Float>) {
            weights.update(from: weight, count: key.weightCount)
            switch key.form {
            case .winograd(let tile):
                let plain = UnsafeMutablePointer<Float>.allocate(
                    capacity: (tile + 2) * (tile + 2) * key.outChannels
                        * key.columns)
                defer { plain.deallocate() }
                WinogradKernel.transformAndPackWeights(
                    weight, outChannels: key.outChannels, inChannels: key.columns,
                    forGradient: false, tile: tile, plain: plain, into: prepared)
            case .matrix:
                PackedGEMM.pack(weight, m: key.outChannels, k: key.columns, lda: key.columns, into: prepared)
            }
        }

        var bytes: Int { (key.weightCount + key.preparedCount) * MemoryLayout<Float>.stride }

        deinit {
            weights.deallocate()
            prepared.deallocate()
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

    /// Calls `body` with `weight` [Cout, Cin, kh, kw] prepared in `form` (`columns`: Cin for
    /// Winograd, Cin·kh·kw for a matrix), from the cache when the weights are unchanged since they
    /// were prepared, else prepared now (and kept if there is room). Returns nil without calling
    /// `body` when the cache is full and has no entry.
    func withPrepared<R>(
        _ weight: UnsafePointer<Float>, outChannels: Int, columns: Int, form: Form,
        _ body: (UnsafePointer<Float>) -> R
    ) -> R? {
        let key = Key(weight: weight, outChannels: outChannels, columns: columns, form: form)
        lock.lock()
        defer { lock.unlock() }
        if let entry = entries[key] {
            if !entry.matches(weight) { entry.fill(from: weight) }
            return body(entry.prepared)
        }
        let entry = Entry(key)
        guard bytes + entry.bytes <= Self.capacityBytes else { return nil }
        entry.fill(from: weight)
        entries[key] = entry
        bytes += entry.bytes
        return body(entry.prepared)
    }
}

/// Runs `body` (inference with weights that do not change, such as the many network passes of
/// an ODE sampler) with each convolution's weights transformed and packed once and reused;
/// they are released when the outermost such call returns.
public func reusingTransformedWeights<R>(_ body: () throws -> R) rethrows -> R {
    PackedWeightCache.shared.enter()
    defer { PackedWeightCache.shared.leave() }
    return try body()
}
