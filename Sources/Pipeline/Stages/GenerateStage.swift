import Datasets
import FileFormats
import Foundation
import LatentFlow
import TensorCore
import VQVAE

/// `pipeline generate`: integrate a trained flow from seeded noise, decode the latents with the
/// autoencoder (latent space) and write a PNG grid with one class per column, the individual
/// PNGs and a JSON sidecar with the settings, NFE and timings. `--latents-only` writes the
/// generated latents instead of images.
public enum GenerateStage {
    public enum LatentsFormat: String, CaseIterable, Codable, Sendable { case safetensors, hdf5 }

    /// Sampling options whose default value cannot be told from a value the caller named: Heun is
    /// the solver's default and 1 the guidance's. `Options.namedOptions` says which were named.
    public enum SamplingOption: String, CaseIterable, Codable, Sendable { case sampler, guidance }

    public struct Options: Codable, Equatable, Sendable {
        public var run = ArtifactFolders.defaultRun
        public var artifacts = ArtifactFolders.defaultArtifacts
        public var space: TrainFlowStage.Space = .latent
        /// The flow model (default `<artifacts>/<run>/flow/model.safetensors`, or `pixel-flow`).
        public var model: String?
        /// The autoencoder (default `<artifacts>/<run>/autoencoder/model.safetensors`).
        public var autoencoder: String?
        /// The output folder (default `<artifacts>/<run>/samples`, or `pixel-samples`).
        public var output: String?
        public var count = 100
        /// Ids, names or "none"; empty: up to 10 classes spread over all.
        public var classes: [String] = []
        public var seed: UInt64 = 0
        public var sampler = SamplerSettings()
        /// Classifier-free guidance scale (1: the conditional model alone).
        public var guidance: Float = 1
        /// The options of `SamplingOption` the caller named rather than left at their defaults
        /// (nil: none). A few-step model samples with its own sampler and its distilled guidance,
        /// so naming another is an error there, never ignored. Not a setting of the outputs: the
        /// values are in `sampler` and `guidance`, and `StageSettings` leaves this out.
        public var namedOptions: Set<SamplingOption>?
        /// Times (0: noise, 1: data) at which the guidance applies (nil: all).
        public var guidanceInterval: ClosedRange<Float>?
        /// Snap the final latents to the nearest point of the RVQ codebooks (images of both are written).
        public var snap = false
        public var latentsOnly = false
        /// Decode the latents of this `--latents-only` file instead of sampling (see `cachedLatents`).
        public var fromLatents: String?
        public var latentsFormat: LatentsFormat = .safetensors
        /// Largest batch given to the network at once (default: all samples for latents, 16 for pixels).
        public var maximumBatch: Int?
        /// Also write one PNG per sample.
        public var individualImages = true
        /// Most classes side by side in the grid; more wrap into bands (nil: 20).
        public var gridColumns: Int?

        public init() {}
    }

    /// The JSON sidecar `samples.json`.
    public struct Sidecar: Codable, Equatable, Sendable {
        public struct ClassEntry: Codable, Equatable, Sendable {
            public var id: Int
            public var name: String
        }
        public var model: String
        /// SHA-256 of the model file sampled (absent in older files; their generate manifest has it).
        public var modelSHA256: String?
        public var modelStep: String?
        public var space: TrainFlowStage.Space
        public var count: Int
        public var seed: UInt64
        public var sampler: SamplerSettings
        public var guidance: Float
        /// Times at which the guidance applied (nil: all).
        public var guidanceInterval: ClosedRange<Float>?
        public var snap: Bool
        /// One per grid column, in column order (id = class count for "none").
        public var columns: [ClassEntry]
        /// Class id of each sample, in sample order.
        public var sampleClasses: [Int]
        /// Evaluations of the velocity field by the solver (a guided one counts once).
        public var evaluations: Int
        /// Network passes over the batch (NFE): a guided evaluation is two, any other one.
        /// (Files written before guided evaluations counted two hold fewer here.)
        public var networkPasses: Int
        /// Evaluations that applied guidance (absent in older files).
        public var guidedEvaluations: Int?
        public var acceptedSteps: Int
        public var rejectedSteps: Int
        /// The few-step method when a few-step model was sampled (its sampler then took `sampler.steps`
        /// passes of the learned jump, and `guidance` is the one baked into it); absent otherwise.
        public var fewStep: FewStepMethod?
        /// Root-mean-square distance the snap moved each latent element (with --snap).
        public var snapRMS: Double?
        /// The `--latents-only` file decoded instead of sampling (`--from-latents`).
        public var latentsFile: String?
        /// Seconds: "load" (reading and hashing the models; absent in older files), "sampling", "snap",
        /// "decode", "write" (writing files once decoding is done: the sample PNGs are written while
        /// later chunks decode, so only what is left then counts), "total"; and "images_per_second".
        public var timings: [String: Double]
        public var files: [String]
        public var createdAt: String
    }

    public struct Result: Sendable {
        public var folder: URL
        public var sidecar: Sidecar
        public var grid: URL?
    }

    public static let sidecarFile = "samples.json"
    public static let gridFile = "grid.png"
    public static let unsnappedGridFile = "grid-unsnapped.png"

    @discardableResult
    public static func run(
        _ options: Options, base: URL = URL(fileURLWithPath: FileManager.default.currentDirectoryPath),
        write: @escaping (String) -> Void = ProgressReporter.writeToStandardOutput
    ) throws -> Result {
        let start = ProgressReporter.monotonicSeconds()
        guard options.count >= 1 && options.count <= 100_000 else {
            throw StageError("--count must be in 1...100000, got \(options.count)")
        }
        if let batch = options.maximumBatch, batch < 1 {
            throw StageError("--batch-size must be positive, got \(batch)")
        }
        if let columns = options.gridColumns, columns < 1 {
            throw StageError("--grid-columns must be positive, got \(columns)")
        }
        let gridColumns = options.gridColumns ?? ImageGrid.maximumClassColumns
        do { try options.sampler.validate() } catch let error as FlowTrainingError {
            throw StageError("generate: \(error.message)")
        }
        let folders = try ArtifactFolders(artifacts: options.artifacts, run: options.run, base: base)
        let modelURL =
            options.model.map { ArtifactFolders.resolve($0, base: base) }
            ?? folders.stage(options.space.folder).appendingPathComponent(TrainFlowStage.modelFile)
        guard FileManager.default.fileExists(atPath: modelURL.path) else {
            throw StageError(
                "\(modelURL.path): no flow model here; train one with `pipeline train-flow` or pass --model FILE")
        }
        let output =
            options.output.map { ArtifactFolders.resolve($0, base: base) }
            ?? folders.stage(options.space == .latent ? ArtifactFolders.samples : ArtifactFolders.pixelSamples)
        // Checked before any sampling: minutes of work must not end in a refusal.
        try GenerateOutputFolder.checkOwned(output)
        let flow = try FlowModel.load(from: modelURL)
        let space = flow.info["space"].flatMap(TrainFlowStage.Space.init(rawValue:)) ?? options.space
        let classNames =
            try flow.info["class_names"].map {
                try JSONFile.decode([String].self, from: Data($0.utf8), path: "\(modelURL.path) (info 'class_names')")
            } ?? (0..<flow.config.classCount).map { "class \($0)" }
        // Names are looked up by class id: one per class of the network, or some id reads past the list.
        guard classNames.count == flow.config.classCount else {
            throw FileFormatError(
                .malformed, path: modelURL.path,
                "info 'class_names' names \(classNames.count) classes, the network has \(flow.config.classCount)")
        }
        // A few-step model is sampled by its own sampler, in a step count it was trained for.
        let fewStep = try flow.fewStepInfo(source: modelURL.path)
        if let fewStep, options.fromLatents == nil {
            try checkFewStepSettings(options, fewStep, model: modelURL)
        }
        let cached = try options.fromLatents.map {
            try cachedLatents($0, base: base, flow: flow, space: space, options: options)
        }
        let columns =
            try cached?.columns
            ?? ClassSelection.resolve(options.classes, names: classNames, nullClass: flow.network.nullClass)

        // The autoencoder decodes latents and snaps them; pixel models need none.
        var autoencoder: RVQAutoencoder?
        let modelHash = try ManifestFile.hashing(modelURL, role: "flow model")
        var inputs = [modelHash]
        if space == .latent && (!options.latentsOnly || options.snap) {
            let url = folders.autoencoderModel(options.autoencoder, base: base)
            let model = try FlowSampleDecoding.loadAutoencoder(url, sampleShape: flow.sampleShape)
            if let expected = flow.info["autoencoder_sha256"], !expected.isEmpty {
                let hash = try ManifestFile.hashing(url, role: "autoencoder")
                if hash.sha256 != expected {
                    if try RVQAutoencoder.metadata(of: url)[TrainAEStage.fineTunedFromKey] == expected {
                        write(
                            "decoder: \(url.path), fine-tuned from the flow's autoencoder (same encoder and codebooks)\n"
                        )
                    } else {
                        write(
                            "warning: \(url.path) is not the autoencoder the flow was trained with (SHA-256 differs)\n")
                    }
                }
                inputs.append(hash)
            }
            autoencoder = model
            if let cached { inputs.append(try ManifestFile.hashing(cached.url, role: "latents")) }
        } else if options.snap {
            throw StageError("--snap needs latents and an autoencoder; this is a \(space.rawValue)-space model")
        }

        let classes = cached?.classes ?? (0..<options.count).map { columns[$0 % columns.count] }
        let count = classes.count
        let names = columns.map { $0 == flow.network.nullClass ? "none" : classNames[$0] }
        let classList = names.prefix(12).joined(separator: ", ") + (names.count > 12 ? ", …" : "")
        if let cached {
            write(
                "generate: decoding the \(count) latents of \(cached.url.path) instead of sampling, classes \(classList)\n"
            )
        } else if let fewStep {
            write(
                "generate: \(count) samples of \(flow.sampleShape) from the few-step (\(fewStep.method.rawValue)) model "
                    + "\(modelURL.lastPathComponent) (step \(flow.info["step"] ?? "?")), \(options.sampler.steps) "
                    + "step\(options.sampler.steps == 1 ? "" : "s"), guidance \(fewStep.guidance) (distilled), classes \(classList)\n"
            )
        } else {
            let sampler = options.sampler
            write(
                "generate: \(count) samples of \(flow.sampleShape) from \(modelURL.lastPathComponent) (step \(flow.info["step"] ?? "?")), "
                    + "\(sampler.method.rawValue)"
                    + (sampler.method == .dopri5
                        ? " rtol \(sampler.relativeTolerance) atol \(sampler.absoluteTolerance)"
                        : " \(sampler.steps) steps")
                    + (sampler.shift != 1 ? ", shift \(sampler.shift)" : "") + ", guidance \(options.guidance)"
                    + (options.guidanceInterval.map { " for t in \($0.lowerBound)...\($0.upperBound)" } ?? "")
                    + ", classes \(classList)\n")
        }

        // Reading and hashing the models and checking the options: everything before the sampling.
        let loadSeconds = ProgressReporter.monotonicSeconds() - start
        let maximumBatch = options.maximumBatch ?? (space == .pixel ? 16 : nil)
        var snapSeconds = 0.0
        func snap(_ latents: Tensor) -> Tensor {
            let begin = ProgressReporter.monotonicSeconds()
            defer { snapSeconds = ProgressReporter.monotonicSeconds() - begin }
            return autoencoder!.nearestCodebookSnap(latents)
        }
        let samples: FlowSamples
        if let cached {
            let latents = cached.file.latents
            // The integration's counts are those of the run that sampled the latents; it took no time here.
            let origin = cached.origin
            samples = FlowSamples(
                samples: latents, snapped: options.snap ? snap(latents) : nil, evaluations: origin?.evaluations ?? 0,
                networkPasses: origin?.networkPasses ?? 0, guidedEvaluations: origin?.guidedEvaluations ?? 0,
                acceptedSteps: origin?.acceptedSteps ?? 0,
                rejectedSteps: origin?.rejectedSteps ?? 0, seconds: 0)
        } else {
            do {
                let noise = flow.noise(count: count, seed: options.seed)
                if fewStep != nil {
                    samples = try flow.sampleFewStep(
                        noise: noise, classes: classes, steps: options.sampler.steps,
                        maximumBatch: maximumBatch, snap: options.snap ? snap : nil)
                } else {
                    samples = try flow.sample(
                        noise: noise, classes: classes,
                        settings: options.sampler, guidance: options.guidance,
                        guidanceInterval: options.guidanceInterval ?? 0...1,
                        maximumBatch: maximumBatch, snap: options.snap ? snap : nil)
                }
            } catch let error as FlowTrainingError {
                throw StageError("generate: \(error.message)")
            }
            write(
                "sampled in \(ReportFormat.duration(samples.seconds)): \(samples.evaluations) field evaluations, "
                    + "\(samples.networkPasses) network passes (NFE; \(samples.guidedEvaluations) guided evaluations of two)\n"
            )
        }
        var snapRMS: Double?
        if let snapped = samples.snapped {
            snapRMS = (snapped.zipMap(samples.samples, -).squaredNorm() / Double(max(snapped.count, 1))).squareRoot()
            write("snapped to the codebooks: RMS move \(String(format: "%.4f", snapRMS!)) per element\n")
        }

        try FileManager.default.createDirectory(at: output, withIntermediateDirectories: true)
        let lock = try StageLock.acquire(stageFolder: output, runFolder: folders.runFolder)
        defer { lock.release() }
        try GenerateOutputFolder.checkOwned(output)  // again under the lock: nothing came in meanwhile
        try StageManifest<Options>.invalidate(in: output)
        var files: [String] = []
        var decodeSeconds = 0.0
        let writeStart = ProgressReporter.monotonicSeconds()
        var gridURL: URL?
        let primary = samples.snapped ?? samples.samples
        if options.latentsOnly {
            files.append(
                try GeneratedLatentsFile.write(
                    latents: samples.samples, snapped: samples.snapped, labels: classes,
                    format: options.latentsFormat, folder: output))
        } else {
            // Each decoded chunk's sample PNGs are written in the background while the next chunk decodes.
            let imageNames =
                options.individualImages
                ? classes.indices.map { String(format: "%05d-c%03d.png", $0, classes[$0]) } : []
            // The new images are written beside the old ones and swapped in once all are written.
            let staging = options.individualImages ? try GenerateOutputFolder.beginImages(in: output) : nil
            let imageURLs = staging.map { folder in imageNames.map { folder.appendingPathComponent($0) } } ?? []
            let writer = options.individualImages ? BackgroundPNGWriter() : nil
            do {
                let decodeStart = ProgressReporter.monotonicSeconds()
                let images = try FlowSampleDecoding.images(primary, autoencoder: autoencoder) { chunk, range in
                    writer?.write(chunk, to: Array(imageURLs[range]))
                }
                let unsnapped =
                    samples.snapped == nil
                    ? nil : try FlowSampleDecoding.images(samples.samples, autoencoder: autoencoder)
                decodeSeconds = ProgressReporter.monotonicSeconds() - decodeStart
                func grid(_ images: [RGBImage]) -> RGBImage {
                    ImageGrid.byClass(images, classCount: columns.count, maximumColumns: gridColumns)
                }
                // The grids are encoded here while the writer finishes the last chunk's files.
                gridURL = output.appendingPathComponent(gridFile)
                try PNGImage.write(grid(images), to: gridURL!)
                files.append(gridFile)
                if let unsnapped {
                    try PNGImage.write(grid(unsnapped), to: output.appendingPathComponent(unsnappedGridFile))
                    files.append(unsnappedGridFile)
                }
                try writer?.finish()
                if let staging { try GenerateOutputFolder.installImages(staging, in: output) }
            } catch {
                // Nothing may still be writing into the folder once generate has returned.
                try? writer?.finish()
                if let staging { try? FileManager.default.removeItem(at: staging) }
                throw error
            }
            files += imageNames.map { GenerateOutputFolder.imagesFolder + "/" + $0 }
        }
        let writeSeconds = ProgressReporter.monotonicSeconds() - writeStart - decodeSeconds
        let total = ProgressReporter.monotonicSeconds() - start
        let sidecar = Sidecar(
            model: modelURL.path, modelSHA256: modelHash.sha256, modelStep: flow.info["step"], space: space,
            count: count,
            seed: cached?.origin?.seed ?? options.seed,
            sampler: cached?.origin?.sampler
                ?? (fewStep != nil ? SamplerSettings(method: .euler, steps: options.sampler.steps) : options.sampler),
            guidance: cached?.origin?.guidance ?? fewStep?.guidance ?? options.guidance,
            guidanceInterval: cached.map { $0.origin?.guidanceInterval } ?? fewStep?.guidanceInterval
                ?? options.guidanceInterval,
            snap: options.snap,
            columns: zip(columns, names).map { Sidecar.ClassEntry(id: $0, name: $1) }, sampleClasses: classes,
            evaluations: samples.evaluations, networkPasses: samples.networkPasses,
            guidedEvaluations: cached == nil ? samples.guidedEvaluations : cached?.origin?.guidedEvaluations,
            acceptedSteps: samples.acceptedSteps,
            rejectedSteps: samples.rejectedSteps, fewStep: cached == nil ? fewStep?.method : cached?.origin?.fewStep,
            snapRMS: snapRMS, latentsFile: cached?.url.path,
            timings: [
                "load": loadSeconds, "sampling": samples.seconds, "snap": snapSeconds, "decode": decodeSeconds,
                "write": writeSeconds,
                "total": total, "images_per_second": Double(count) / max(total, 1e-9),
            ],
            files: files, createdAt: ISO8601DateFormatter().string(from: Date()))
        try JSONFile.write(sidecar, to: output.appendingPathComponent(sidecarFile))
        write(
            "wrote \(gridURL?.path ?? output.path) and \(files.count - (gridURL == nil ? 0 : 1)) more files; "
                + "sampling \(ReportFormat.duration(samples.seconds)), decoding \(ReportFormat.duration(decodeSeconds)), "
                + "total \(ReportFormat.duration(total))\n")
        let outputs = try ([sidecarFile] + files.filter { !$0.hasPrefix("images/") })
            .map { try ManifestFile.hashing(output.appendingPathComponent($0), role: $0) }
        try StageManifest(
            stage: "generate", config: options, inputs: inputs, outputs: outputs,
            timings: sidecar.timings
        ).write(to: output)
        return Result(folder: output, sidecar: sidecar, grid: gridURL)
    }

    /// A few-step model takes its step count from `--steps` and nothing else of the ODE sampler:
    /// its own steps are x + d·v(x, t, d) (recorded as Euler), so another solver or a shifted grid
    /// is refused rather than ignored; its guidance is baked in, so another `--guidance` is too.
    static func checkFewStepSettings(_ options: Options, _ fewStep: FewStepModelInfo, model: URL) throws {
        let named = options.namedOptions ?? []
        guard fewStep.supports(steps: options.sampler.steps) else {
            throw StageError(
                "\(model.path) is a few-step (\(fewStep.method.rawValue)) model: it samples in "
                    + "\(fewStep.supportedStepsText) steps, not \(options.sampler.steps); pass --steps N with one of those"
            )
        }
        guard options.sampler.method != .dopri5 else {
            throw StageError(
                "\(model.path) is a few-step model: it takes a fixed --steps count, not the adaptive dopri5 sampler")
        }
        // Heun is the solver's default, so only a named one is refused; the others are always named.
        let method = options.sampler.method
        if method != .euler && (named.contains(.sampler) || method != SamplerSettings().method) {
            throw StageError(
                "\(model.path) is a few-step (\(fewStep.method.rawValue)) model: it takes its own sampler "
                    + "(one network pass per step), not --sampler \(method.rawValue); omit --sampler")
        }
        guard options.sampler.shift == 1 else {
            throw StageError(
                "\(model.path) is a few-step (\(fewStep.method.rawValue)) model: its steps are the equal ones it "
                    + "was trained for, not a grid shifted by --shift \(options.sampler.shift); omit --shift")
        }
        // An unnamed guidance of 1 is the option's default: it asks for nothing, and the model's own applies.
        let guidanceAsked = named.contains(.guidance) || options.guidance != 1
        let guidanceDiffers = guidanceAsked && options.guidance != fewStep.guidance
        let intervalDiffers = options.guidanceInterval.map { $0 != fewStep.guidanceInterval } ?? false
        if guidanceDiffers || intervalDiffers {
            throw StageError(
                "\(model.path) was distilled with guidance \(fewStep.guidance) for t in "
                    + "\(fewStep.guidanceInterval.lowerBound)...\(fewStep.guidanceInterval.upperBound), which is part of its weights; "
                    + "omit --guidance (or distil again with the guidance wanted)")
        }
    }
}
