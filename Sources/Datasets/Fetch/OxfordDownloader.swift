import FileFormats
import Foundation

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// Downloads Oxford Flowers 102 (`102flowers.tgz`, `imagelabels.mat`, `setid.mat`) from the
/// Visual Geometry Group's server into `destination`, giving the layout `jpg/`, `imagelabels.mat`
/// and `setid.mat`.
///
/// Each file is checked against its published MD5 and size; partial downloads are kept as
/// `<name>.part` and resumed with HTTP Range requests (on the next attempt or the next run);
/// the archive is unpacked with path checks. Existing files that differ are never overwritten:
/// the fetch stops with `DatasetError.refusedOverwrite` instead. Running it again after success
/// does nothing.
public struct OxfordDownloader: Sendable {
    public static let defaultBaseURL = URL(string: "https://www.robots.ox.ac.uk/~vgg/data/flowers/102/")!

    /// The official files with their MD5s (as published with torchvision's Flowers102) and sizes.
    public static let officialFiles: [RemoteFile] = [
        RemoteFile(name: "102flowers.tgz", md5: "52808999861908f626f3c1f4e79d11fa", size: 344_862_509),
        RemoteFile(name: "imagelabels.mat", md5: "e0620be6f572b9609742df49c70aed4d", size: 502),
        RemoteFile(name: "setid.mat", md5: "a5357ecc9cb78c4bef273ce3793fc85c", size: 14_989),
    ]

    public var destination: URL
    public var baseURL: URL
    public var files: [RemoteFile]
    /// Requests per file before giving up; each retry resumes the interrupted transfer.
    public var attempts = 3
    /// Seconds without any data before a request counts as interrupted.
    public var timeout: TimeInterval = 60
    /// Seconds to wait before the first retry (the n-th waits n times as long).
    public var retryDelay: TimeInterval = 2
    /// Keep downloaded archives after unpacking them (they are the checksummed originals).
    public var keepArchives = true
    /// Human-readable progress lines.
    public var log: (@Sendable (String) -> Void)?
    /// Bytes received so far and the total, per file, as they arrive.
    public var progress: (@Sendable (_ file: String, _ received: Int64, _ total: Int64?) -> Void)?

    public init(
        destination: URL, baseURL: URL = OxfordDownloader.defaultBaseURL,
        files: [RemoteFile] = OxfordDownloader.officialFiles
    ) {
        self.destination = destination
        self.baseURL = baseURL
        self.files = files
    }

    public func run() throws -> FetchReport {
        for file in files {
            guard file.md5.count == 32, file.md5.allSatisfy(\.isHexDigit) else {
                throw DatasetError(
                    .invalidArgument, "\(file.name): \"\(file.md5)\" is not an MD5 (32 hexadecimal digits)")
            }
            guard !file.name.isEmpty, !file.name.contains("/"), !file.name.hasPrefix(".") else {
                throw DatasetError(.invalidArgument, "\"\(file.name)\" is not a plain file name")
            }
        }
        do {
            try FileManager.default.createDirectory(at: destination, withIntermediateDirectories: true)
        } catch {
            throw FileFormatError(
                .writeFailed, path: destination.path, "cannot create folder: \(error.localizedDescription)")
        }
        var report = FetchReport()
        for file in files {
            try fetch(file, report: &report)
        }
        return report
    }

    private func fetch(_ file: RemoteFile, report: inout FetchReport) throws {
        let target = destination.appendingPathComponent(file.name)
        let marker = destination.appendingPathComponent(".\(file.name).unpacked")
        if file.isArchive,
            (try? String(contentsOf: marker, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines)
                == file.md5.lowercased()
        {
            report.steps.append(.init(file: file.name, action: .alreadyUnpacked, detail: "unpacked earlier"))
            log?("\(file.name): already unpacked")
            return
        }
        if FileManager.default.fileExists(atPath: target.path) {
            let problem = try mismatch(of: target, against: file)
            if let problem {
                throw DatasetError(
                    .refusedOverwrite,
                    "\(target.path) already exists and is not the expected file (\(problem)); move it away or choose another destination"
                )
            }
            report.steps.append(.init(file: file.name, action: .alreadyPresent, detail: "checksum verified"))
            log?("\(file.name): already present, checksum verified")
        } else {
            let part = destination.appendingPathComponent(file.name + ".part")
            let url = baseURL.appendingPathComponent(file.name)
            log?("\(file.name): downloading \(url.absoluteString)")
            let name = file.name
            let progress = self.progress
            var perFile: (@Sendable (Int64, Int64?) -> Void)?
            if let progress { perFile = { @Sendable received, total in progress(name, received, total) } }
            let downloader = RangeDownloader(
                attempts: attempts, timeout: timeout, retryDelay: retryDelay, progress: perFile)
            let outcome = try downloader.download(url, to: part, expectedSize: file.size)
            if let problem = try mismatch(of: part, against: file) {
                // A corrupt part would only be resumed into a corrupt file: start afresh next time.
                try? FileManager.default.removeItem(at: part)
                let kind: DatasetError.Kind = problem.hasPrefix("size") ? .sizeMismatch : .checksumMismatch
                throw DatasetError(
                    kind,
                    "\(url.absoluteString): downloaded file is not the expected one (\(problem)); the partial file was deleted, run again to retry"
                )
            }
            do {
                try FileManager.default.moveItem(at: part, to: target)
            } catch {
                throw FileFormatError(
                    .writeFailed, path: target.path,
                    "cannot move the download into place: \(error.localizedDescription)")
            }
            let action: FetchReport.Action = outcome == .resumed ? .resumed : .downloaded
            report.steps.append(.init(file: file.name, action: action, detail: "checksum verified"))
            log?("\(file.name): \(action.rawValue), checksum verified")
        }
        if file.isArchive {
            log?("\(file.name): unpacking")
            let extraction = try TarGzExtractor.extract(target, into: destination)
            try AtomicText.write(file.md5.lowercased() + "\n", to: marker)
            if !keepArchives { try? FileManager.default.removeItem(at: target) }
            report.steps.append(
                .init(
                    file: file.name, action: .unpacked,
                    detail: "\(extraction.files.count) files, \(extraction.alreadyPresent.count) already present"))
            log?("\(file.name): unpacked \(extraction.files.count) files")
        }
    }

    /// Why the file at `url` is not `file` (size or MD5), or nil if it is.
    private func mismatch(of url: URL, against file: RemoteFile) throws -> String? {
        if let expected = file.size, let actual = RangeDownloader.fileSize(url), actual != expected {
            return "size \(actual) bytes, expected \(expected)"
        }
        let md5 = try MD5.hex(ofFile: url)
        return md5 == file.md5.lowercased() ? nil : "MD5 \(md5), expected \(file.md5.lowercased())"
    }
}
