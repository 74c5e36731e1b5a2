import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The folder `generate` writes into holds generate's own files only. A folder with anything else
/// in it (a user's pictures, another tool's files) is refused before any sampling, so that no
/// `--output` can cost a user a file; the previous samples' images are replaced only once the new
/// ones are all written (they are staged in a hidden folder and swapped in), so a failure part-way
/// (a full disk, a decoding error, Ctrl-C) keeps the old ones.
enum GenerateOutputFolder {
    static let imagesFolder = "images"
    static let stagingPrefix = ".images.staging-"
    static let replacedPrefix = ".images.replaced-"

    /// What generate writes at the top of its folder, and the lock it takes there.
    static var ownNames: Set<String> {
        [
            GenerateStage.sidecarFile, GenerateStage.gridFile, GenerateStage.unsnappedGridFile,
            GeneratedLatentsFile.safetensorsName, GeneratedLatentsFile.hdf5Name, StageFiles.manifest,
            RunLock.fileName, imagesFolder,
        ]
    }

    /// `00042-c007.png`: the sample's index and class, as generate names its images.
    static func isOwnImageName(_ name: String) -> Bool {
        let parts = name.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 2, name.hasSuffix(".png"), parts[0].count >= 5, parts[0].allSatisfy(isDigit)
        else { return false }
        let classPart = parts[1].dropLast(4)
        return classPart.hasPrefix("c") && classPart.count >= 4 && classPart.dropFirst().allSatisfy(isDigit)
    }

    private static func isDigit(_ character: Character) -> Bool { ("0"..."9").contains(character) }

    /// Throws, naming the first entry generate did not write, unless `output` is missing, empty or
    /// generate's own (its images folder holding only sample images).
    static func checkOwned(_ output: URL) throws {
        let fileManager = FileManager.default
        guard let entries = try? fileManager.contentsOfDirectory(atPath: output.path) else {
            if fileManager.fileExists(atPath: output.path) {
                throw StageError(
                    "\(output.path): --output must be a folder (generate writes a grid, images and samples.json)")
            }
            return
        }
        let leftovers = [stagingPrefix, replacedPrefix]
        for entry in entries.sorted()
        where !ownNames.contains(entry) && !leftovers.contains(where: { entry.hasPrefix($0) }) {
            throw refusal(output.appendingPathComponent(entry), in: output)
        }
        let images = output.appendingPathComponent(imagesFolder)
        guard let imageNames = try? fileManager.contentsOfDirectory(atPath: images.path) else {
            if fileManager.fileExists(atPath: images.path) { throw refusal(images, in: output) }
            return
        }
        for name in imageNames.sorted() where !isOwnImageName(name) {
            throw refusal(images.appendingPathComponent(name), in: output)
        }
    }

    private static func refusal(_ entry: URL, in output: URL) -> StageError {
        StageError(
            "\(entry.path): not a file generate wrote; generate replaces only its own files in \(output.path) — "
                + "choose a new or empty --output")
    }

    /// A fresh hidden folder in `output` for the new images (those of an abandoned run removed:
    /// they are generate's own, unfinished, and the stage lock is held).
    static func beginImages(in output: URL) throws -> URL {
        let fileManager = FileManager.default
        for entry in (try? fileManager.contentsOfDirectory(atPath: output.path)) ?? []
        where entry.hasPrefix(stagingPrefix) || entry.hasPrefix(replacedPrefix) {
            try? fileManager.removeItem(at: output.appendingPathComponent(entry))
        }
        let staging = output.appendingPathComponent("\(stagingPrefix)\(getpid())-\(UUID().uuidString)")
        do {
            try fileManager.createDirectory(at: staging, withIntermediateDirectories: false)
        } catch {
            throw StageError(
                "\(staging.path): cannot create the folder for the new images (\(error.localizedDescription))")
        }
        return staging
    }

    /// Swaps the finished staging folder in as `images/`; the replaced images (the previous
    /// samples, generate's own) are removed only after the swap.
    static func installImages(_ staging: URL, in output: URL) throws {
        let images = output.appendingPathComponent(imagesFolder)
        var replaced: URL?
        if FileManager.default.fileExists(atPath: images.path) {
            let aside = output.appendingPathComponent("\(replacedPrefix)\(getpid())-\(UUID().uuidString)")
            guard rename(images.path, aside.path) == 0 else {
                throw StageError(
                    "\(images.path): cannot move the previous images aside (\(String(cString: strerror(errno))))")
            }
            replaced = aside
        }
        guard rename(staging.path, images.path) == 0 else {
            let reason = String(cString: strerror(errno))
            if let replaced { _ = rename(replaced.path, images.path) }
            throw StageError("\(images.path): cannot put the new images in place (\(reason))")
        }
        if let replaced { try? FileManager.default.removeItem(at: replaced) }
    }
}
