import FileFormats
import Foundation

/// `manifest.json` of an evaluation, written last: the stage, its effective settings, the
/// SHA-256 of its inputs and outputs, timings and status "complete".
public struct EvaluateManifest: Codable, Equatable, Sendable {
    public struct FileHash: Codable, Equatable, Sendable {
        /// A file, or for many files their folder and count.
        public var name: String
        public var files: Int
        public var bytes: Int
        /// SHA-256 of the file; for several files, of the lines "path, size, SHA-256" of each.
        public var sha256: String
    }

    public var stage = "evaluate"
    public var status = "complete"
    public var createdAt: String
    public var version: String
    public var config: [String: String]
    public var inputs: [String: FileHash]
    public var outputs: [FileHash]
    public var timings: [String: Double]
    public var totalSeconds: Double

    static func make(
        options: EvaluateStage.Options, generated: EvaluationImages, real: EvaluationImages, margin: Int?,
        outputs: [URL], timings: [String: Double], totalSeconds: Double
    ) throws -> EvaluateManifest {
        var config = [
            "generated": generated.path,
            "real": real.path,
            "realSubsets": options.realSubsets.map(\.description).sorted().joined(separator: "+"),
            "generatedSubsets": options.generatedSubsets.map(\.description).sorted().joined(separator: "+"),
            "seed": "\(options.seed)",
            "run": options.run,
            "floor": "\(options.measureFloor)",
        ]
        if let maxImages = options.maxImages { config["maxImages"] = "\(maxImages)" }
        // The framing of a folder of real photos, and the classes a reference was restricted to.
        if let margin { config["realMargin"] = "\(margin)" }
        if let framing = real.framing { config["realFraming"] = framing }
        if let classes = real.classes { config["referenceClasses"] = classes.joined(separator: ", ") }
        var hasher = FileHasher()
        return EvaluateManifest(
            createdAt: ISO8601DateFormatter().string(from: Date()),
            version: PipelineVersion.current,
            config: config,
            inputs: [
                "generated": try hasher.hash(generated.inputFiles, name: generated.path),
                "real": try hasher.hash(real.inputFiles, name: real.path),
            ],
            outputs: try outputs.map { try hasher.hash([$0], name: $0.lastPathComponent) },
            timings: timings, totalSeconds: totalSeconds)
    }
}

extension EvaluateManifest {
    /// The hash `make` records for a set of images (`inputs["real"]`, `inputs["generated"]`), so
    /// that a later caller can tell whether an evaluation scored against the images there now.
    static func hash(of images: EvaluationImages) throws -> FileHash {
        var hasher = FileHasher()
        return try hasher.hash(images.inputFiles, name: images.path)
    }
}

/// SHA-256 of input files, each file read once even if both image sets come from it (a
/// real-versus-real evaluation of one dataset cache).
private struct FileHasher {
    private var known: [String: (digest: String, size: Int)] = [:]

    mutating func hash(_ files: [URL], name: String) throws -> EvaluateManifest.FileHash {
        if files.count == 1 {
            let (digest, size) = try file(files[0])
            return EvaluateManifest.FileHash(name: name, files: 1, bytes: size, sha256: digest)
        }
        var combined = SHA256()
        var bytes = 0
        for url in files {
            let (digest, size) = try file(url)
            bytes += size
            let line = "\(url.path), \(size), \(digest)\n"
            line.utf8CString.dropLast().withUnsafeBytes { combined.update($0) }
        }
        return EvaluateManifest.FileHash(name: name, files: files.count, bytes: bytes, sha256: combined.finalize().hex)
    }

    private mutating func file(_ url: URL) throws -> (digest: String, size: Int) {
        if let cached = known[url.path] { return cached }
        let size: Int
        do {
            size = (try FileManager.default.attributesOfItem(atPath: url.path)[.size] as? Int) ?? 0
        } catch {
            throw FileFormatError(.unreadable, path: url.path, "cannot read its size: \(error.localizedDescription)")
        }
        let result = (try SHA256.hashFile(at: url).hex, size)
        known[url.path] = result
        return result
    }
}
