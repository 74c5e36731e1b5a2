import TensorCore

/// Which rows form which batch, and the random numbers of each image's augmentation, as pure
/// functions of (seed, epoch, batch, slot): a batch is the same whenever and wherever it is made.
struct BatchSchedule: Sendable {
    let rows: [Int]
    let batchSize: Int
    let seed: UInt64
    let shuffle: Bool
    let dropLast: Bool

    var batchesPerEpoch: Int {
        dropLast ? rows.count / batchSize : (rows.count + batchSize - 1) / batchSize
    }

    /// The epoch's row order: a permutation drawn from (seed, epoch) when shuffling.
    func order(epoch: Int) -> [Int] {
        guard shuffle else { return rows }
        var rng = SeededGenerator(
            seed: SeedMixer.combine(seed, UInt64(bitPattern: Int64(epoch)), RandomStream.loaderEpochOrder.salt))
        return rng.permutation(rows.count).map { rows[$0] }
    }

    /// The rows of batch `batch` given the epoch's order.
    func rows(of batch: Int, in order: [Int]) -> [Int] {
        let start = batch * batchSize
        return Array(order[start..<min(order.count, start + batchSize)])
    }

    /// The generator for the augmentation of the image in `slot` of a batch.
    func generator(_ position: LoaderPosition, slot: Int) -> SeededGenerator {
        SeededGenerator(
            seed: SeedMixer.combine(
                seed, UInt64(bitPattern: Int64(position.epoch)),
                UInt64(bitPattern: Int64(position.batch)), UInt64(slot), RandomStream.imageAugmentation.salt))
    }

    /// The position after `position`.
    func advance(_ position: LoaderPosition) -> LoaderPosition {
        position.batch + 1 < batchesPerEpoch
            ? LoaderPosition(epoch: position.epoch, batch: position.batch + 1)
            : LoaderPosition(epoch: position.epoch + 1, batch: 0)
    }
}
