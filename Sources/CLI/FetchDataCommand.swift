import ArgumentParser
import Datasets
import Foundation
import Pipeline

/// `pipeline fetch-data`: download Oxford Flowers 102, check it and unpack it.
struct FetchDataCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fetch-data",
        abstract: "Download Oxford Flowers 102 from the VGG site, verify and unpack it.",
        discussion: """
            Downloads 102flowers.tgz (345 MB), imagelabels.mat and setid.mat, checks their MD5 and size, \
            resumes interrupted downloads (run it again), unpacks the photos into DIR/jpg and never \
            overwrites different existing files.
            """)

    @Option(help: ArgumentHelp("Folder to download into.", valueName: "dir"))
    var dest: String

    @Option(help: ArgumentHelp("Where the files are served (default: the VGG site).", valueName: "url"))
    var baseURL: String?

    @OptionGroup var runtime: ThreadsOption

    func validate() throws {
        if let baseURL {
            guard let url = URL(string: baseURL), let scheme = url.scheme?.lowercased(),
                ["http", "https"].contains(scheme),
                url.host != nil
            else {
                throw ValidationError("--base-url must be an http(s) URL, not '\(baseURL)'")
            }
        }
    }

    func run() throws {
        var base = OxfordDownloader.defaultBaseURL
        if let baseURL, let url = URL(string: baseURL.hasSuffix("/") ? baseURL : baseURL + "/") { base = url }
        try FetchDataStage.run(destination: URL(fileURLWithPath: dest).standardizedFileURL, baseURL: base)
    }
}
