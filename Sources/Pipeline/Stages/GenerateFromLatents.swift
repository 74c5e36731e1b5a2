import FileFormats
import Foundation
import LatentFlow

/// `generate --from-latents FILE`: decode latents a flow generated earlier (`generate
/// --latents-only`) instead of sampling them again, so that decoders can be compared on the very
/// same samples at the cost of a decode (seconds) rather than an integration (minutes).
extension GenerateStage {
    struct CachedLatents {
        var url: URL
        var file: GeneratedLatentsFile
        /// The class of each latent, from the file's labels.
        var classes: [Int]
        /// The grid's columns: the classes in the order they first appear.
        var columns: [Int]
        /// The sidecar of the run that sampled them, when it lies beside the file: the seed,
        /// sampler and guidance reported are that run's, not this one's options.
        var origin: Sidecar?
    }

    static func cachedLatents(
        _ path: String, base: URL, flow: FlowModel, space: TrainFlowStage.Space,
        options: Options
    ) throws -> CachedLatents {
        let url = ArtifactFolders.resolve(path, base: base)
        guard space == .latent else {
            throw StageError("--from-latents decodes latents; this is a \(space.rawValue)-space model")
        }
        guard !options.latentsOnly else { throw StageError("--from-latents and --latents-only exclude each other") }
        guard options.classes.isEmpty else {
            throw StageError("--classes does not apply with --from-latents: the file's labels give the classes")
        }
        let file = try GeneratedLatentsFile.read(url, latentShape: flow.sampleShape)
        guard let labels = file.labels else {
            throw FileFormatError(.malformed, path: url.path, "no 'labels': the classes of the latents are unknown")
        }
        if let bad = labels.first(where: { !(0...flow.network.nullClass).contains($0) }) {
            throw FileFormatError(
                .malformed, path: url.path,
                "label \(bad) is not a class of this flow (0...\(flow.network.nullClass))")
        }
        var seen = Set<Int>()
        let origin = try? JSONFile.read(
            Sidecar.self, from: url.deletingLastPathComponent().appendingPathComponent(sidecarFile))
        return CachedLatents(
            url: url, file: file, classes: labels, columns: labels.filter { seen.insert($0).inserted },
            origin: origin)
    }
}
