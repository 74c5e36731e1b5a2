import Foundation

/// The classes `generate` drew a folder of samples from, read from its `samples.json`.
///
/// Why: `generate` samples up to 10 classes by default, and a reference of all classes would
/// score those samples for the classes they were never asked to show; the reference (and the
/// floor's stand-ins) must be the same classes.
struct EvaluateSampledClasses: Equatable {
    /// Class names, one per distinct sampled class, in class-id order of the model.
    var names: [String]
    /// Some samples are unconditional ("none"): they may show any class.
    var includesUnconditional: Bool
    /// The `samples.json` they were read from.
    var sidecar: URL

    /// The name `generate` gives the grid column of unconditional samples.
    static let unconditionalName = "none"

    /// Only the fields needed here, so that sidecars of any version (or a hand-written one) read.
    private struct SidecarClasses: Decodable {
        var columns: [GenerateStage.Sidecar.ClassEntry]?
        var sampleClasses: [Int]?
    }

    /// The sampled classes of the folder `generated` (or of its parent when it is the `images`
    /// sub-folder `generate` writes); nil, with the reason, when there is no sidecar listing them.
    static func read(generated: URL) -> (classes: EvaluateSampledClasses?, note: String?) {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: generated.path, isDirectory: &isDirectory), isDirectory.boolValue
        else { return (nil, nil) }
        let candidates = [generated, generated.deletingLastPathComponent()].map {
            $0.appendingPathComponent(GenerateStage.sidecarFile)
        }
        guard
            let url = candidates.prefix(generated.lastPathComponent == "images" ? 2 : 1)
                .first(where: { FileManager.default.fileExists(atPath: $0.path) })
        else { return (nil, nil) }
        guard let data = try? Data(contentsOf: url),
            let sidecar = try? JSONDecoder().decode(SidecarClasses.self, from: data),
            let columns = sidecar.columns, let sampled = sidecar.sampleClasses, !sampled.isEmpty
        else {
            return (nil, "\(url.path) does not list the samples' classes; the reference is not restricted to them")
        }
        let nameOf = Dictionary(columns.map { ($0.id, $0.name) }, uniquingKeysWith: { first, _ in first })
        var names: [String] = []
        var unconditional = false
        for id in Set(sampled).sorted() {
            guard let name = nameOf[id] else {
                return (nil, "\(url.path): sample class \(id) is in no column; the reference is not restricted")
            }
            if name == unconditionalName { unconditional = true } else { names.append(name) }
        }
        return (EvaluateSampledClasses(names: names, includesUnconditional: unconditional, sidecar: url), nil)
    }

    /// The class ids of a labelled reference with class names `classNames` these samples were
    /// drawn from; nil, with the reason, when the reference cannot be restricted to them.
    func ids(in classNames: [String]) -> (ids: Set<Int>?, reason: String?) {
        if includesUnconditional {
            return (nil, "some samples are unconditional (class \"none\"), so every class is a fair reference")
        }
        var ids: Set<Int> = []
        for name in names {
            guard let id = classNames.firstIndex(of: name) else {
                return (nil, "the sampled class \"\(name)\" is not a class of the reference")
            }
            ids.insert(id)
        }
        return ids.isEmpty ? (nil, "the samples list no class") : (ids, nil)
    }
}
