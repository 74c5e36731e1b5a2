import FileFormats
import Foundation

/// Writes PNG files in the background while the caller goes on computing: `generate` hands it
/// each decoded chunk of samples, so the chunk's files are written while the next chunk decodes
/// instead of after the whole decode.
///
/// One thread encodes, in the order the images came, so the encoding takes at most one core from
/// the decoder; the files' durable writes (an fsync each: a wait, not work) run several at a time
/// beside it, because one after another the flushes of 100 sample images took about a second.
final class BackgroundPNGWriter: @unchecked Sendable {
    /// Durable writes in flight at once.
    static let concurrentFlushes = 8

    private let encoder = DispatchQueue(label: "flow-matching-flowers.png-encoder", qos: .userInitiated)
    private let flushes: OperationQueue = {
        let queue = OperationQueue()
        queue.maxConcurrentOperationCount = BackgroundPNGWriter.concurrentFlushes
        queue.qualityOfService = .userInitiated
        return queue
    }()
    private let encoding = DispatchGroup()
    private let failures = FirstFailure()

    /// Queues `images[i]` to be written to `urls[i]`, atomically; after a failure nothing more is written.
    func write(_ images: [RGBImage], to urls: [URL]) {
        precondition(images.count == urls.count, "BackgroundPNGWriter: \(images.count) images for \(urls.count) files")
        encoder.async(group: encoding) { [failures, flushes] in
            for (image, url) in zip(images, urls) where !failures.occurred {
                do {
                    let data = try PNGImage.encode(image, path: url.path)
                    flushes.addOperation {
                        guard !failures.occurred else { return }
                        do { try AtomicFile.write(data, to: url) } catch { failures.record(error) }
                    }
                } catch {
                    failures.record(error)
                }
            }
        }
    }

    /// Waits until every queued file is written (or abandoned after a failure); throws the first failure.
    func finish() throws {
        encoding.wait()
        flushes.waitUntilAllOperationsAreFinished()
        try failures.rethrow()
    }
}
