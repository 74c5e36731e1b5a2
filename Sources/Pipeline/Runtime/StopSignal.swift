import Dispatch
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A graceful stop on Ctrl-C (SIGINT) or SIGTERM: the first signal only raises a flag, which a
/// training loop checks between steps to write a checkpoint and return; a second signal ends
/// the process at once.
///
/// The signals are received through Dispatch signal sources rather than a C signal handler,
/// so the reaction runs as ordinary code on a queue (a C handler could safely do next to
/// nothing). Until `install` is called the default behaviour (immediate termination) stands.
public final class StopSignal: @unchecked Sendable {
    /// What receiving a signal leads to.
    public enum Reaction: Equatable, Sendable {
        /// The first signal: `stopRequested` is now true.
        case stopRequested
        /// A later signal: the process should end immediately.
        case exitImmediately
    }

    /// The process-wide instance that `pipeline` installs.
    public static let shared = StopSignal()

    private let lock = NSLock()
    private var requested = false
    private var firstSignal: Int32?
    private var sources: [DispatchSourceSignal] = []

    /// A separate flag, e.g. for tests; the process's signals go to `shared`.
    public init() {}

    /// True once a stop signal has arrived.
    public var stopRequested: Bool {
        lock.lock()
        defer { lock.unlock() }
        return requested
    }

    /// The first signal received (SIGINT or SIGTERM), if any.
    public var signalReceived: Int32? {
        lock.lock()
        defer { lock.unlock() }
        return firstSignal
    }

    /// Records `signal` and says how to react: the first one requests a stop, the next ones exit.
    /// `install` calls this for every signal; it is public so the policy can be tested.
    @discardableResult
    public func record(_ signal: Int32) -> Reaction {
        lock.lock()
        defer { lock.unlock() }
        if requested { return .exitImmediately }
        requested = true
        firstSignal = signal
        return .stopRequested
    }

    /// Raises the flag from code (e.g. a time limit), as if a first signal had arrived.
    public func requestStop() {
        lock.lock()
        requested = true
        lock.unlock()
    }

    /// Lowers the flag again (for a new loop in the same process, or a test).
    public func reset() {
        lock.lock()
        requested = false
        firstSignal = nil
        lock.unlock()
    }

    /// Takes over `signals` (default SIGINT and SIGTERM). `onFirstSignal` runs on a background
    /// queue when the first one arrives, e.g. to tell the user that the run is stopping. A second
    /// signal exits at once with status 128 + signal number, as a shell reports a killed process.
    public func install(signals: [Int32] = [SIGINT, SIGTERM],
                        onFirstSignal: (@Sendable (Int32) -> Void)? = nil) {
        lock.lock()
        defer { lock.unlock() }
        guard sources.isEmpty else { return }
        let queue = DispatchQueue(label: "fmf.stop-signal")
        for number in signals {
            // The default action would end the process before the source sees the signal.
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: queue)
            source.setEventHandler {
                // The source keeps this object alive until `uninstall` cancels it.
                switch self.record(number) {
                case .stopRequested:
                    onFirstSignal?(number)
                case .exitImmediately:
                    fflush(stdout)
                    _exit(128 + number)
                }
            }
            source.resume()
            sources.append(source)
        }
    }

    /// Gives the signals back to their default action (immediate termination).
    public func uninstall() {
        lock.lock()
        let installed = sources
        sources = []
        lock.unlock()
        for source in installed {
            let number = Int32(source.handle)
            source.cancel()
            signal(number, SIG_DFL)
        }
    }

    /// The message `pipeline` prints on the first signal.
    public static func stoppingMessage(for signal: Int32) -> String {
        let name = signal == SIGINT ? "interrupt" : signal == SIGTERM ? "termination signal" : "signal \(signal)"
        return "\n\(name) received: stopping after the current step (press Ctrl-C again to quit at once)"
    }
}
