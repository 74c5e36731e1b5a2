import FileFormats
import Foundation
import LatentFlow
import Pipeline
import TensorCore
import VQVAE
import XCTest

final class GenerateStageTests: XCTestCase {
    var fixture: FlowStageFixture { FlowStageFixture.shared }
    var scratch: URL!
    static var trained: URL?

    override func setUpWithError() throws {
        scratch = fixture.root.appendingPathComponent("generate-\(UUID().uuidString)")
        _ = try fixture.latents()
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: scratch)
    }

    /// A tiny flow model trained for a few steps, shared by the tests.
    func model() throws -> URL {
        if let trained = Self.trained { return trained }
        let folder = fixture.root.appendingPathComponent("generate-model")
        let result = try TrainFlowStage.run(fixture.trainOptions(output: folder, steps: 4), write: { _ in })
        Self.trained = result.model
        return result.model
    }

    func options(count: Int = 6) throws -> GenerateStage.Options {
        var options = GenerateStage.Options()
        options.run = fixture.run
        options.artifacts = fixture.artifacts
        options.model = try model().path
        options.output = scratch.path
        options.count = count
        options.sampler = SamplerSettings(method: .heun, steps: 3)
        return options
    }

    /// Class names are looked up by class id: a model whose names do not match its classes is
    /// refused with an error naming the file, not indexed past the list.
    func testAModelWhoseClassNamesDoNotMatchItsClassesIsRefused() throws {
        let flow = try FlowModel.load(from: try model())
        flow.info["class_names"] = #"["only one"]"#
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        let url = scratch.appendingPathComponent("renamed.safetensors")
        try flow.save(to: url)
        var options = try options()
        options.model = url.path
        options.output = scratch.appendingPathComponent("out").path
        XCTAssertThrowsError(try GenerateStage.run(options, write: { _ in })) { error in
            XCTAssertTrue("\(error)".contains(url.path), "\(error)")
            XCTAssertTrue("\(error)".contains("names 1 classes, the network has 3"), "\(error)")
        }
    }

    /// `--output` pointed at a folder of the user's own pictures deleted its `images/` folder.
    func testAFolderWithFilesGenerateDidNotWriteIsRefusedAndKept() throws {
        let mine = scratch.appendingPathComponent("images/holiday.png")
        try FileManager.default.createDirectory(at: mine.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data("a user's picture".utf8).write(to: mine)
        XCTAssertThrowsError(try GenerateStage.run(try options(), write: { _ in })) { error in
            XCTAssertTrue("\(error)".contains(mine.path), "\(error)")
            XCTAssertTrue("\(error)".contains("not a file generate wrote"), "\(error)")
        }
        XCTAssertEqual(try Data(contentsOf: mine), Data("a user's picture".utf8))

        let other = scratch.appendingPathComponent("elsewhere")
        let notes = other.appendingPathComponent("notes.txt")
        try FileManager.default.createDirectory(at: other, withIntermediateDirectories: true)
        try Data("keep".utf8).write(to: notes)
        var options = try options()
        options.output = other.path
        XCTAssertThrowsError(try GenerateStage.run(options, write: { _ in })) { error in
            XCTAssertTrue("\(error)".contains(notes.path), "\(error)")
        }
        XCTAssertTrue(FileManager.default.fileExists(atPath: notes.path))
    }

    /// Generating again into generate's own folder replaces its images, once the new ones are written.
    func testGeneratingAgainReplacesItsOwnImages() throws {
        var options = try options(count: 6)
        try GenerateStage.run(options, write: { _ in })
        options.count = 3
        options.seed = 7
        try GenerateStage.run(options, write: { _ in })
        let images = try FileManager.default.contentsOfDirectory(atPath: scratch.appendingPathComponent("images").path)
        XCTAssertEqual(images.count, 3, "\(images)")
        let hidden = try FileManager.default.contentsOfDirectory(atPath: scratch.path).filter {
            $0.hasPrefix(".images")
        }
        XCTAssertEqual(hidden, [], "staging left behind")
    }

    func testGridImagesAndSidecar() throws {
        var options = try options()
        options.classes = ["0", "2"]
        options.guidance = 2
        let result = try GenerateStage.run(options, write: { _ in })
        let sidecar = result.sidecar
        XCTAssertEqual(sidecar.evaluations, 6, "Heun: 2 evaluations per step")
        XCTAssertEqual(sidecar.networkPasses, 12, "a guided evaluation is two network passes")
        XCTAssertEqual(sidecar.guidedEvaluations, 6)
        XCTAssertEqual(sidecar.columns.map(\.id), [0, 2])
        XCTAssertEqual(sidecar.sampleClasses, [0, 2, 0, 2, 0, 2])
        XCTAssertNotNil(sidecar.timings["decode"])
        let grid = try PNGImage.read(from: try XCTUnwrap(result.grid))
        XCTAssertEqual(grid.width, 2 * 32 + 3 * 2, "two columns of 32 px with 2 px borders")
        XCTAssertEqual(grid.height, 3 * 32 + 4 * 2, "three rows")
        let images = try FileManager.default.contentsOfDirectory(atPath: scratch.appendingPathComponent("images").path)
            .sorted()
        XCTAssertEqual(images.count, 6)
        XCTAssertEqual(images.first, "00000-c000.png")
        XCTAssertEqual(images.last, "00005-c002.png")
        let saved = try JSONFile.read(
            GenerateStage.Sidecar.self, from: scratch.appendingPathComponent(GenerateStage.sidecarFile))
        XCTAssertEqual(saved, sidecar)
        XCTAssertTrue(try StageManifest<GenerateStage.Options>.read(from: scratch).isComplete)
    }

    /// Class names and "none" are accepted; a sample does not depend on how many are drawn.
    func testLatentsOnlyAreDeterministicAndSnapReportsBoth() throws {
        var options = try options(count: 4)
        let names = try JSONFile.decode(
            [String].self, from: Data(try FlowModel.load(from: try model()).info["class_names"]!.utf8), path: "")
        options.classes = [names[1].replacingOccurrences(of: " ", with: "_"), "none"]
        options.latentsOnly = true
        options.snap = true
        let result = try GenerateStage.run(options, write: { _ in })
        XCTAssertEqual(result.sidecar.columns.map(\.name), [names[1], "none"])
        XCTAssertNotNil(result.sidecar.snapRMS)
        let file = try SafetensorsFile.read(from: scratch.appendingPathComponent("latents.safetensors"))
        let latents = try file.tensors["latents"]!.floats()
        XCTAssertEqual(file.tensors["latents"]!.shape, [4, 4, 4, 4])
        XCTAssertEqual(try file.tensors["labels"]!.int64s(), [1, 3, 1, 3])
        XCTAssertNotEqual(try file.tensors["snapped"]!.floats(), latents)

        options.count = 2
        options.output = scratch.appendingPathComponent("again").path
        options.latentsFormat = .hdf5
        try GenerateStage.run(options, write: { _ in })
        let again = try HDF5File.open(at: scratch.appendingPathComponent("again/latents.h5"))
        // The same noise, so the same samples up to the rounding of differently sized matrix products.
        for (a, b) in zip(try again.dataset("latents").read(Float.self), latents[0..<128]) {
            XCTAssertEqual(a, b, accuracy: 1e-4)
        }

        options.latentsOnly = false
        options.output = scratch.appendingPathComponent("images").path
        options.individualImages = false
        let decoded = try GenerateStage.run(options, write: { _ in })
        XCTAssertEqual(Set(decoded.sidecar.files), [GenerateStage.gridFile, GenerateStage.unsnappedGridFile])
    }

    /// `--from-latents`: the latents of a `--latents-only` run decoded without sampling give the
    /// images that sampling and decoding in one go gives, with the classes of the file's labels
    /// and the sampler settings of the run that made them; bad combinations and files are refused.
    func testFromLatentsDecodesTheSameSamples() throws {
        var options = try options(count: 4)
        options.classes = ["2", "0"]
        options.guidance = 1.5
        options.individualImages = true
        options.output = scratch.appendingPathComponent("direct").path
        let direct = try GenerateStage.run(options, write: { _ in })
        options.latentsOnly = true
        options.output = scratch.appendingPathComponent("latents").path
        try GenerateStage.run(options, write: { _ in })

        var decode = try self.options()
        decode.fromLatents = scratch.appendingPathComponent("latents/latents.safetensors").path
        decode.output = scratch.appendingPathComponent("decoded").path
        let output = WrittenText()
        let decoded = try GenerateStage.run(decode, write: output.append)
        XCTAssertTrue(output.text.contains("decoding the 4 latents of"), output.text)
        XCTAssertFalse(output.text.contains("sampled in"), output.text)
        XCTAssertEqual(decoded.sidecar.sampleClasses, [2, 0, 2, 0])
        XCTAssertEqual(decoded.sidecar.columns.map(\.id), [2, 0])
        XCTAssertEqual(decoded.sidecar.guidance, 1.5, "the settings of the run that sampled them")
        XCTAssertEqual(decoded.sidecar.evaluations, direct.sidecar.evaluations)
        XCTAssertEqual(decoded.sidecar.latentsFile, decode.fromLatents)
        for name in direct.sidecar.files where name.hasPrefix("images/") {
            let a = try PNGImage.read(from: scratch.appendingPathComponent("direct/\(name)"))
            let b = try PNGImage.read(from: scratch.appendingPathComponent("decoded/\(name)"))
            XCTAssertEqual(a.pixels, b.pixels, name)
        }
        let manifest = try StageManifest<GenerateStage.Options>.read(from: scratch.appendingPathComponent("decoded"))
        XCTAssertTrue(manifest.inputs.contains { $0.role == "latents" }, "\(manifest.inputs)")

        var withClasses = decode
        withClasses.classes = ["1"]
        XCTAssertThrowsError(try GenerateStage.run(withClasses, write: { _ in })) { error in
            XCTAssertTrue("\(error)".contains("--classes does not apply with --from-latents"), "\(error)")
        }
        let unlabelled = scratch.appendingPathComponent("unlabelled.safetensors")
        try SafetensorsFile(tensors: [
            "latents": SafetensorsTensor(floats: Array(repeating: 0, count: 64), shape: [1, 4, 4, 4])
        ])
        .write(to: unlabelled)
        var noLabels = decode
        noLabels.fromLatents = unlabelled.path
        XCTAssertThrowsError(try GenerateStage.run(noLabels, write: { _ in })) { error in
            XCTAssertTrue("\(error)".contains(unlabelled.path) && "\(error)".contains("no 'labels'"), "\(error)")
        }
        var wrongShape = decode
        let wrong = scratch.appendingPathComponent("wrong.safetensors")
        try SafetensorsFile(tensors: [
            "latents": SafetensorsTensor(floats: Array(repeating: 0, count: 24), shape: [1, 3, 2, 4])
        ])
        .write(to: wrong)
        wrongShape.fromLatents = wrong.path
        XCTAssertThrowsError(try GenerateStage.run(wrongShape, write: { _ in })) { error in
            XCTAssertTrue("\(error)".contains(wrong.path) && "\(error)".contains("[1, 3, 2, 4]"), "\(error)")
        }
    }

    /// `--guidance-interval`: guided only at some times, the samples lie between the unguided and
    /// the everywhere-guided ones, and the sidecar records the interval.
    func testGuidanceIntervalIsRecordedAndChangesTheSamples() throws {
        var options = try options(count: 2)
        options.classes = ["0", "1"]
        options.latentsOnly = true
        func latents(guidance: Float, interval: ClosedRange<Float>?, name: String) throws -> [Float] {
            options.guidance = guidance
            options.guidanceInterval = interval
            options.output = scratch.appendingPathComponent(name).path
            let result = try GenerateStage.run(options, write: { _ in })
            XCTAssertEqual(result.sidecar.guidanceInterval, interval)
            return try SafetensorsFile.read(from: scratch.appendingPathComponent("\(name)/latents.safetensors"))
                .tensors["latents"]!.floats()
        }
        let plain = try latents(guidance: 1, interval: nil, name: "plain")
        let guided = try latents(guidance: 4, interval: nil, name: "guided")
        let late = try latents(guidance: 4, interval: 0.5...1, name: "late")
        XCTAssertNotEqual(late, plain)
        XCTAssertNotEqual(late, guided)
        func distance(_ a: [Float], _ b: [Float]) -> Float { zip(a, b).map { ($0 - $1) * ($0 - $1) }.reduce(0, +) }
        XCTAssertLessThan(distance(late, plain), distance(guided, plain), "half the guidance moves the samples less")
    }

    /// "all": every class in turn, so the samples' class mix matches a class-balanced held-out set.
    func testAllClassesInTurn() throws {
        var options = try options()
        options.classes = ["all"]
        options.individualImages = false
        let sidecar = try GenerateStage.run(options, write: { _ in }).sidecar
        XCTAssertEqual(sidecar.columns.map(\.id), [0, 1, 2])
        XCTAssertEqual(sidecar.sampleClasses, [0, 1, 2, 0, 1, 2])
    }

    /// More classes than `gridColumns` wrap into bands, each class keeping a column of its own:
    /// 3 classes at most 2 wide → bands [0 1] and [2 –], two samples per class.
    func testManyClassesWrapIntoBands() throws {
        var options = try options()
        options.classes = ["all"]
        options.gridColumns = 2
        let grid = try PNGImage.read(from: try XCTUnwrap(GenerateStage.run(options, write: { _ in }).grid))
        XCTAssertEqual(grid.width, 2 * 32 + 3 * 2, "two columns")
        XCTAssertEqual(grid.height, 4 * 32 + 5 * 2, "two bands of two rows")
        func tile(row: Int, column: Int) -> [UInt8] {
            let x0 = 2 + column * 34, y0 = 2 + row * 34
            var pixels: [UInt8] = []
            for y in y0..<(y0 + 32) {
                let start: Int = (y * grid.width + x0) * 3
                pixels += grid.pixels[start..<(start + 32 * 3)]
            }
            return pixels
        }
        let images = scratch.appendingPathComponent("images")
        for (row, column, file) in [
            (0, 1, "00001-c001.png"), (1, 0, "00003-c000.png"), (2, 0, "00002-c002.png"), (3, 0, "00005-c002.png"),
        ] {
            XCTAssertEqual(
                tile(row: row, column: column), try PNGImage.read(from: images.appendingPathComponent(file)).pixels,
                file)
        }
        XCTAssertEqual(Set(tile(row: 2, column: 1)), [255], "no fourth class: the cell stays blank")
        options.gridColumns = 0
        XCTAssertThrowsError(try GenerateStage.run(options, write: { _ in })) {
            XCTAssertTrue("\($0)".contains("--grid-columns"), "\($0)")
        }
    }

    /// Another autoencoder than the flow's draws a warning, unless it is a decoder fine-tuned from
    /// the flow's autoencoder (its metadata names that one's SHA-256): same latents, no warning.
    func testFineTunedDecoderIsAcceptedAndOtherAutoencodersWarned() throws {
        let original = try RVQAutoencoder.load(from: fixture.autoencoderURL)
        let originalHash = try SHA256.hashFile(at: fixture.autoencoderURL).hex
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        let fineTuned = scratch.appendingPathComponent("fine-tuned.safetensors")
        try original.save(to: fineTuned, metadata: [TrainAEStage.fineTunedFromKey: originalHash])
        let unrelated = scratch.appendingPathComponent("unrelated.safetensors")
        try original.save(to: unrelated, metadata: [TrainAEStage.fineTunedFromKey: String(repeating: "0", count: 64)])
        for (url, accepted) in [(fineTuned, true), (unrelated, false)] {
            var options = try options(count: 2)
            options.autoencoder = url.path
            options.output = scratch.appendingPathComponent(url.lastPathComponent + "-samples").path
            let output = WrittenText()
            try GenerateStage.run(options, write: output.append)
            XCTAssertEqual(output.text.contains("fine-tuned from the flow's autoencoder"), accepted, output.text)
            XCTAssertEqual(output.text.contains("warning: \(url.path) is not the autoencoder"), !accepted, output.text)
        }
    }

    func testBadClassesAndSettingsAreClearErrors() throws {
        var options = try options()
        options.classes = ["no-such-flower"]
        XCTAssertThrowsError(try GenerateStage.run(options, write: { _ in })) {
            XCTAssertTrue("\($0)".contains("no class named"), "\($0)")
        }
        options.classes = ["7"]
        XCTAssertThrowsError(try GenerateStage.run(options, write: { _ in })) {
            XCTAssertTrue("\($0)".contains("outside 0..<3"), "\($0)")
        }
        options.classes = []
        options.sampler.steps = 0
        XCTAssertThrowsError(try GenerateStage.run(options, write: { _ in }))
        options.sampler.steps = 2
        options.model = scratch.appendingPathComponent("missing.safetensors").path
        XCTAssertThrowsError(try GenerateStage.run(options, write: { _ in })) {
            XCTAssertTrue("\($0)".contains("missing.safetensors"))
        }
    }

    func testDormandPrinceAndPixelModels() throws {
        var options = try options(count: 3)
        options.sampler = SamplerSettings(method: .dopri5, relativeTolerance: 1e-2, absoluteTolerance: 1e-2)
        options.individualImages = false
        let adaptive = try GenerateStage.run(options, write: { _ in })
        XCTAssertGreaterThan(adaptive.sidecar.evaluations, 2)
        XCTAssertEqual(
            adaptive.sidecar.evaluations, 2 + 6 * (adaptive.sidecar.acceptedSteps + adaptive.sidecar.rejectedSteps))

        var train = fixture.trainOptions(output: scratch.appendingPathComponent("pixel-flow"), steps: 1)
        train.space = .pixel
        train.batchSize = 4
        let pixel = try TrainFlowStage.run(train, write: { _ in })
        var generate = try self.options(count: 2)
        generate.space = .pixel
        generate.model = pixel.model.path
        generate.output = scratch.appendingPathComponent("pixel-samples").path
        generate.sampler = SamplerSettings(method: .euler, steps: 2)
        let result = try GenerateStage.run(generate, write: { _ in })
        XCTAssertEqual(try PNGImage.read(from: try XCTUnwrap(result.grid)).height, 32 + 4)
        generate.snap = true
        XCTAssertThrowsError(try GenerateStage.run(generate, write: { _ in }))
    }
}
