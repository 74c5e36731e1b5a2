import FileFormats
import Foundation
import FuzzSupport
import Pipeline

/// A run folder's `run-state.json` (the ledger) and `.digests.json` (the digest cache) as
/// `pipeline status` reads them: the input is split at its first NUL byte (which neither JSON
/// document can hold) into the two files. The ledger is loaded, pipeline 0.1 entries are adopted
/// and every stage is judged against the (empty-settings) default configuration; the digest
/// cache must give a file's true SHA-256 whatever it holds, and write only its own file.
private let scratch = ScratchFolder("run-ledger")
private let artifact = Data("a file of the run\n".utf8)
private let artifactSHA256 = SHA256.hash(artifact).hex

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzRunLedger(_ start: UnsafeRawPointer?, _ count: Int) -> CInt {
    scratch.empty()
    let input = fuzzInput(start, count)
    let split = input.firstIndex(of: 0) ?? input.endIndex
    let run = scratch.folder("artifacts/run")
    let ledgerFile = scratch.write(input[input.startIndex..<split], to: "artifacts/run/\(RunLedger.fileName)")
    if split < input.endIndex {
        _ = scratch.write(input[input.index(after: split)...], to: "artifacts/run/\(DigestCache.fileName)")
    }
    let file = scratch.write(artifact, to: "artifacts/run/encode/latents.h5")
    let before = FolderListing(scratch.url)

    let cache = DigestCache(runFolder: run)
    if let digest = ReaderContract.check(naming: file.path, { try cache.sha256(of: file) }) {
        ReaderContract.require(
            digest == artifactSHA256, "the digest cache gave \(digest) for a file whose SHA-256 is \(artifactSHA256)")
    }
    if var ledger = ReaderContract.check(naming: ledgerFile.path, { try RunLedger.load(runFolder: run) }) {
        let config = RunConfig()
        let settings = Dictionary(uniqueKeysWithValues: RunStage.allCases.map { ($0, StageSettings(values: [:])) })
        LegacyLedger.adopt(&ledger, config: config, runFolder: run, settings: settings, cache: cache)
        let assessments = RunAssessment.assess(
            config: config, runFolder: run, ledger: ledger, settings: settings, cache: cache)
        ReaderContract.require(assessments.count == RunStage.allCases.count, "\(assessments.count) stages judged")
    }
    cache.save()

    let written = FolderListing(scratch.url).paths.subtracting(before.paths)
    ReaderContract.require(
        written.isSubset(of: ["artifacts/run/\(DigestCache.fileName)"]), "reading the run wrote \(written.sorted())")
    return 0
}
