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
/// The flag is a word in memory that the signal handler sets with a plain store (what C calls
/// a `volatile sig_atomic_t`): a handler may do next to nothing safely, so it takes no lock,
/// allocates nothing and writes its notice with `write(2)`. Until `install` is called the
/// default behaviour (immediate termination) stands.
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

    /// [0]: signals received, [1]: the first one's number. Never freed, because a signal
    /// handler may still reach it after this object is gone.
    private let words: UnsafeMutablePointer<Int32>

    /// A separate flag, e.g. for tests; the process's signals go to the instance that installed last.
    public init() {
        words = UnsafeMutablePointer<Int32>.allocate(capacity: 2)
        words.initialize(repeating: 0, count: 2)
    }

    /// True once a stop signal has arrived (or `requestStop` was called).
    public var stopRequested: Bool { words[0] > 0 }

    /// The first signal received (SIGINT or SIGTERM), if any.
    public var signalReceived: Int32? { words[0] > 0 && words[1] != 0 ? words[1] : nil }

    /// Records `signal` and says how to react: the first one requests a stop, the next ones exit.
    /// The installed handler calls this for every signal; it is public so the policy can be tested.
    @discardableResult
    public func record(_ signal: Int32) -> Reaction {
        StopSignal.record(signal, in: words)
    }

    /// Raises the flag from code (e.g. a time limit), as if a first signal had arrived.
    public func requestStop() {
        if words[0] == 0 { words[0] = 1 }
    }

    /// Lowers the flag again (for a new loop in the same process, or a test).
    public func reset() {
        words[1] = 0
        words[0] = 0
    }

    /// Takes over `signals` (default SIGINT and SIGTERM) for this instance. On the first one,
    /// `notice` is written to standard error; a second one exits at once with status
    /// 128 + signal number, as a shell reports a killed process.
    public func install(signals: [Int32] = [SIGINT, SIGTERM], notice: String = StopSignal.defaultNotice) {
        // Everything the handler touches is prepared here, outside it.
        let bytes = Array(notice.utf8)
        let text = UnsafeMutablePointer<UInt8>.allocate(capacity: max(bytes.count, 1))
        text.initialize(from: bytes, count: bytes.count)
        installedHandlerState = HandlerState(words: words, notice: text, noticeLength: bytes.count)

        var action = sigaction()
        #if os(Linux)
            action.__sigaction_handler.sa_handler = stopSignalHandler
        #else
            action.__sigaction_u.__sa_handler = stopSignalHandler
        #endif
        // Block the other stop signals while one is handled, so two never interleave.
        sigemptyset(&action.sa_mask)
        for number in signals { sigaddset(&action.sa_mask, number) }
        action.sa_flags = SA_RESTART
        for number in signals {
            sigaction(number, &action, nil)
        }
    }

    /// Gives `signals` back to their default action (immediate termination).
    public func uninstall(signals: [Int32] = [SIGINT, SIGTERM]) {
        for number in signals {
            signal(number, SIG_DFL)
        }
    }

    /// What `pipeline` writes on the first signal.
    public static let defaultNotice =
        "\nstop requested: finishing the current step (press Ctrl-C again to quit at once)\n"

    static func record(_ signal: Int32, in words: UnsafeMutablePointer<Int32>) -> Reaction {
        let count = words[0]
        words[0] = count &+ 1
        if count > 0 { return .exitImmediately }
        words[1] = signal
        return .stopRequested
    }
}

/// What the signal handler needs, set before the handler is installed.
private struct HandlerState {
    var words: UnsafeMutablePointer<Int32>
    var notice: UnsafeMutablePointer<UInt8>
    var noticeLength: Int
}

private var installedHandlerState: HandlerState?

/// The C signal handler: records the signal; the first one writes the notice, a later one exits.
private func stopSignalHandler(_ number: Int32) {
    guard let state = installedHandlerState else { return }
    switch StopSignal.record(number, in: state.words) {
    case .stopRequested:
        _ = write(STDERR_FILENO, state.notice, state.noticeLength)
    case .exitImmediately:
        _exit(128 + number)
    }
}
