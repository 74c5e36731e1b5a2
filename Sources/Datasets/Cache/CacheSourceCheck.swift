import FileFormats
import Foundation

/// Whether the source folder a cache was made from still holds what it held then, judged from
/// the directory listing alone (names, sizes, modification times; no image is read), so that
/// `pipeline status` and `run` can afford it every time they judge a run.
public enum CacheSourceCheck {
    public enum State: Equatable, Sendable {
        /// Listed as when the cache was made, or nothing to compare (synthetic images, a cache
        /// without a manifest or a recorded listing).
        case unchanged
        /// Files were added, removed or rewritten: the cache no longer shows the source.
        case changed(String)
        /// The source folder is gone (moved or unmounted). The cache is still what it was and
        /// stays usable; this is worth saying, never a reason to remake it.
        case missing(String)
    }

    /// Compares the source named in `cacheFolder`'s manifest with the listing saved beside it
    /// (`SourceListing`), or for a cache from before listings were saved with the manifest's
    /// digest of the images' names and sizes and its label files' SHA-256.
    public static func check(cacheFolder: URL) -> State {
        guard let manifest = try? DatasetManifest.read(from: cacheFolder), manifest.source.kind != .synthetic,
            let path = manifest.source.path
        else { return .unchanged }
        let root = URL(fileURLWithPath: path)
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: root.path, isDirectory: &isFolder), isFolder.boolValue else {
            return .missing("its source \(path) is missing now; the cache made from it is kept and used")
        }
        let images: [(name: String, url: URL)], labelFiles: [URL]
        do {
            (images, labelFiles) = try currentFiles(kind: manifest.source.kind, root: root)
        } catch {
            return .changed("\(path) can no longer be read as when the cache was made: \(error)")
        }
        if let recorded = try? SourceListing.read(from: cacheFolder) {
            let now = SourceListing.of(images: images, labelFiles: labelFiles)
            return now.change(since: recorded).map { .changed($0.summary(source: path)) } ?? .unchanged
        }
        return compareWithDigests(manifest, images: images, labelFiles: labelFiles, path: path)
    }

    /// The images and label files of the source now, as its catalog lists them (without the
    /// split, which does not decide which files are read).
    static func currentFiles(kind: DatasetCatalog.Kind, root: URL) throws -> (
        images: [(name: String, url: URL)], labelFiles: [URL]
    ) {
        switch kind {
        case .oxford:
            // Missing photos are allowed here: they are a change to report, not an error.
            let catalog = try OxfordFlowers102.catalog(root: root, allowMissingImages: true)
            return (catalog.fileItems, catalog.labelFiles)
        case .folder:
            return (FolderCatalog.namedFiles(try ImageFolder.scan(root), root: root), [])
        case .synthetic:
            return ([], [])
        }
    }

    /// A cache made before listings were saved: the digest of "name, size" of its images and the
    /// SHA-256 of its label files (small) tell that something changed, not what.
    static func compareWithDigests(
        _ manifest: DatasetManifest, images: [(name: String, url: URL)], labelFiles: [URL], path: String
    ) -> State {
        for recorded in manifest.labelFiles {
            guard let file = labelFiles.first(where: { $0.lastPathComponent == recorded.name }) else {
                return .changed("\(path) changed since the cache was made: \(recorded.name) is gone")
            }
            if (try? SHA256.hashFile(at: file).hex) != recorded.sha256 {
                return .changed("\(path) changed since the cache was made: \(recorded.name) was rewritten")
            }
        }
        if let listing = manifest.imageFiles?.listingSHA256,
            ImageFingerprintBuilder.listingHash(images).hex != listing
        {
            return .changed(
                "\(path) changed since the cache was made: images were added, removed or resized "
                    + "(\(images.count) listed now)")
        }
        return .unchanged
    }
}
