import Datasets
import Foundation

/// Unpacks an archive into `box/inside/destination` and checks that nothing appeared, changed
/// type or became a symbolic link anywhere in `box` except below the destination: an archive
/// entry that climbs out with "..", or a link followed on the way, would show up here.
public enum ExtractionSandbox {
    public static func extract(_ archive: Data, scratch: ScratchFolder) {
        scratch.empty()
        let archiveURL = scratch.write(archive, to: "inside/archive.tar.gz")
        let destination = scratch.folder("inside/destination")
        let before = FolderListing(scratch.url)

        let report = ReaderContract.check(naming: archiveURL.lastPathComponent) {
            try TarGzExtractor.extract(archiveURL, into: destination)
        }

        let after = FolderListing(scratch.url)
        let prefix = "inside/destination/"
        for path in after.paths.subtracting(before.paths) {
            ReaderContract.require(path.hasPrefix(prefix), "unpacking wrote \(path), outside the destination")
        }
        ReaderContract.require(
            after.symbolicLinks.isEmpty, "unpacking made symbolic links \(after.symbolicLinks.sorted())")
        if let report {
            for file in report.files {
                var isDirectory: ObjCBool = false
                let exists = FileManager.default.fileExists(
                    atPath: destination.appendingPathComponent(file).path,
                    isDirectory: &isDirectory)
                ReaderContract.require(
                    exists && !isDirectory.boolValue, "reported file \(file) is not a file in the destination")
            }
        }
    }
}
