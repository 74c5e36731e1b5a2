import ArgumentParser
import Dispatch
import Foundation
import LiveView
import Pipeline

/// `pipeline serve`: the artifacts folder's reports over HTTP, read-only, with a live page that
/// follows a running stage. Bound to 127.0.0.1 unless `--host` says otherwise.
struct ServeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve the runs' reports and a live view of a running stage (read-only, localhost by default).",
        discussion: """
            Pages: / lists the runs; /files/<run>/report.html is a run's report (and every picture, \
            chart and log beside it); /live/<run> follows the stage at work — its progress, newest \
            metrics and newest grid — and reloads itself every 5 seconds. Only reports, pictures and \
            logs are served (never models or caches), nothing outside the artifacts folder, and \
            nothing is ever written. Stop with Ctrl-C.
            """)

    @Option(name: .customLong("run"), help: "The run to point at first (its live view is printed).")
    var runName: String?
    @Option(help: "TCP port (0: any free port, printed).")
    var port: UInt16 = 8023
    @Option(help: "IPv4 address to listen on; the default keeps the server to this machine.")
    var host = "127.0.0.1"
    @Option(help: ArgumentHelp("Artifacts folder.", valueName: "dir"))
    var artifacts = ArtifactFolders.defaultArtifacts
    @OptionGroup var runtime: ThreadsOption

    func run() throws {
        let folderURL = URL(fileURLWithPath: artifacts)
        let folder: ServedFolder
        do {
            folder = try ServedFolder(folderURL)
        } catch {
            throw CLIError("\(folderURL.path): no such folder to serve (give the artifacts folder with --artifacts)")
        }
        let server = try ArtifactServer(routes: ArtifactRoutes(folder: folder, run: runName), host: host, port: port)
        let listening = try AsyncBridge.wait { try await server.start() }
        let base = "http://\(host):\(listening)"
        print("serving \(folder.root) at \(base)/ (read-only; Ctrl-C stops)")
        if let runName {
            let run = runName.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? runName
            print("report: \(base)/files/\(run)/\(RunReport.fileName)")
            print("live:   \(base)/live/\(run)")
        }
        // Serves until Ctrl-C or SIGTERM (StopSignal), or until the server fails.
        let ended = ServerEnd()
        Task {
            do { try await server.wait() } catch { ended.fail(error) }
            ended.finish()
        }
        while !StopSignal.shared.stopRequested && !ended.isFinished { usleep(100_000) }
        // Only an end before the stop request is a failure: stopping cancels the server's task.
        if ended.isFinished {
            throw CLIError("the server stopped: \(ended.error.map { "\($0)" } ?? "for no reason given")")
        }
        try? AsyncBridge.wait { await server.stop() }
        print("stopped serving")
    }
}

/// Whether, and how, the server's task ended.
private final class ServerEnd: @unchecked Sendable {
    private let lock = NSLock()
    private var finished = false
    private var failure: Error?
    func finish() {
        lock.lock()
        finished = true
        lock.unlock()
    }
    func fail(_ error: Error) {
        lock.lock()
        failure = error
        lock.unlock()
    }
    var isFinished: Bool {
        lock.lock()
        defer { lock.unlock() }
        return finished
    }
    var error: Error? {
        lock.lock()
        defer { lock.unlock() }
        return failure
    }
}
