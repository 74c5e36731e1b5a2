import Datasets
import FileFormats
import Foundation
import FuzzSupport
import Pipeline

/// A stage folder's `manifest.json` as the stages read it back: the generic `StageManifest` with
/// the configurations of encode, train-flow, compare and ablations, train-ae's manifest, the
/// dataset cache's manifest, and the quick check `status` makes (`StageFolderDigest.manifestProblem`).
/// One input is read as every kind: most fail to decode, and each must say so naming the file.
private let scratch = ScratchFolder("stage-manifest")

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzStageManifest(_ start: UnsafeRawPointer?, _ count: Int) -> CInt {
    scratch.empty()
    let file = scratch.write(fuzzInput(start, count), to: "stage/manifest.json")
    let folder = file.deletingLastPathComponent()
    if let manifest = ReaderContract.check(
        naming: file.path, { try StageManifest<EncodeStage.ManifestConfig>.read(from: folder) })
    {
        _ = manifest.output("latents")
        ReaderContract.require(
            manifest.isComplete == (StageManifest<EncodeStage.ManifestConfig>.complete(in: folder) != nil),
            "complete(in:) disagrees with the manifest's status")
    }
    _ = ReaderContract.check(naming: file.path) { try StageManifest<TrainFlowStage.ManifestConfig>.read(from: folder) }
    _ = ReaderContract.check(naming: file.path) { try StageManifest<CompareStage.ManifestConfig>.read(from: folder) }
    _ = ReaderContract.check(naming: file.path) { try StageManifest<AblationStage.ManifestConfig>.read(from: folder) }
    _ = ReaderContract.check(naming: file.path) { try StageManifest<TrainAEStage.ManifestConfig>.read(from: folder) }
    _ = ReaderContract.check(naming: file.path) {
        try StageManifest<DistillFlowStage.ManifestConfig>.read(from: folder)
    }
    _ = ReaderContract.check(naming: file.path) {
        try DatasetManifest.read(from: scratch.url.appendingPathComponent("stage"))
    }
    if let problem = StageFolderDigest.manifestProblem(in: folder) {
        ReaderContract.require(
            problem.contains("manifest.json"), "the manifest problem does not name the file: \(problem)")
    }
    return 0
}
