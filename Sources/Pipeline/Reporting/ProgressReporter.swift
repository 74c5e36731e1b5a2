import Dispatch
import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Progress of a long loop (training steps, images encoded): count, smoothed rate, ETA,
/// elapsed time and live fields such as `loss 0.0123  psnr 24.1`.
///
/// On a terminal it redraws one line with a bar, at most `maximumRedrawsPerSecond` times a
/// second; in a log (stdout redirected) it writes a plain line every so many seconds or
/// percent. Either way `finish()` writes a summary line. All methods may be called from any
/// thread; the output of one call is never interleaved with another's.
public final class ProgressReporter: @unchecked Sendable {
    /// How progress is shown.
    public enum Style: Equatable, Sendable {
        /// One line redrawn in place, `width` characters wide (nil: ask the terminal).
        case terminal(width: Int?)
        /// A plain line whenever `everySeconds` have passed or another `everyPercent` of the
        /// total is done since the last one (0 turns a criterion off).
        case log(everySeconds: Double, everyPercent: Double)

        /// `.terminal` if standard output is a terminal, otherwise `.log` with these intervals.
        public static func automatic(everySeconds: Double = 30, everyPercent: Double = 10) -> Style {
            isatty(STDOUT_FILENO) != 0
                ? .terminal(width: nil) : .log(everySeconds: everySeconds, everyPercent: everyPercent)
        }
    }

    /// Redraws of the terminal line per second, at most.
    public static let maximumRedrawsPerSecond = 10.0

    private let style: Style
    private let write: (String) -> Void
    private let clock: () -> Double
    private let lock = NSLock()

    private var state: ProgressSnapshot
    private let startTime: Double
    private var estimator: RateEstimator
    private var lastDraw = -Double.infinity
    private var lastLogTime: Double
    private var nextPercentMark: Double
    private var lineVisible = false
    private var finished = false

    /// - Parameters:
    ///   - label: what the loop does, e.g. "train-ae".
    ///   - total: the number of items, if known.
    ///   - unit: the name of one item in rates ("it", "step", "img").
    ///   - style: terminal or log; by default chosen from whether stdout is a terminal.
    ///   - write: receives the text to output (default: standard output, flushed).
    ///   - clock: monotonic seconds (default: the system's uptime clock); tests pass their own.
    ///   - resumedAt: items done before this session (a resumed checkpoint's step): shown in the
    ///     count but not in the rate, the ETA or the summary's average, which are this session's.
    public init(
        label: String, total: Int?, unit: String = "it", resumedAt: Int = 0,
        style: Style = .automatic(),
        write: @escaping (String) -> Void = ProgressReporter.writeToStandardOutput,
        clock: @escaping () -> Double = ProgressReporter.monotonicSeconds
    ) {
        self.style = style
        self.write = write
        self.clock = clock
        let now = clock()
        startTime = now
        lastLogTime = now
        let resumedAt = max(resumedAt, 0)
        estimator = RateEstimator(startTime: now, startCount: resumedAt)
        state = ProgressSnapshot(
            label: label, unit: unit, total: total.map { max($0, 0) }, completed: resumedAt,
            elapsed: 0, rate: nil, resumedAt: resumedAt)
        if case .log(_, let percent) = style, percent > 0 {
            nextPercentMark = percent
        } else {
            nextPercentMark = .infinity
        }
    }

    /// The current state.
    public var snapshot: ProgressSnapshot {
        lock.lock()
        defer { lock.unlock() }
        return current(at: clock())
    }

    /// Counts `count` more items done and updates `fields` (see `setFields`).
    public func advance(by count: Int = 1, fields: [ProgressField] = []) {
        lock.lock()
        defer { lock.unlock() }
        state.completed += count
        merge(fields)
        refresh()
    }

    /// Sets the number of items done so far (resumed items included; see `resumedAt`).
    public func update(completed: Int, fields: [ProgressField] = []) {
        lock.lock()
        defer { lock.unlock() }
        state.completed = completed
        merge(fields)
        refresh()
    }

    /// Changes the number of items (a plan revised as the loop goes, e.g. the steps a time budget buys).
    public func setTotal(_ total: Int?) {
        lock.lock()
        defer { lock.unlock() }
        state.total = total.map { max($0, 0) }
    }

    /// Sets live fields; a field keeps its place when its value changes.
    public func setFields(_ fields: [ProgressField]) {
        lock.lock()
        defer { lock.unlock() }
        merge(fields)
    }

    /// Sets one live numeric field, e.g. `setField("loss", 0.0123)`.
    public func setField(_ name: String, _ value: Double) {
        setFields([ProgressField(name, value)])
    }

    /// Sets one live text field, e.g. `setField("phase", "warm-up")`.
    public func setField(_ name: String, _ value: String) {
        setFields([ProgressField(name, value)])
    }

    /// Writes a line of its own (a warning, a checkpoint note) without breaking the progress line.
    public func message(_ text: String) {
        lock.lock()
        defer { lock.unlock() }
        if lineVisible {
            write("\r\u{1B}[K")
            lineVisible = false
        }
        write(text + "\n")
        if case .terminal = style, !finished {
            draw(at: clock())
        }
    }

    /// Ends the loop: writes the summary line ("done", or "stopped" before the total). Later
    /// calls do nothing.
    public func finish() {
        lock.lock()
        defer { lock.unlock() }
        guard !finished else { return }
        finished = true
        let snapshot = current(at: clock())
        let prefix = lineVisible ? "\r\u{1B}[K" : ""
        lineVisible = false
        write(prefix + ProgressLine.summary(snapshot) + "\n")
    }

    // MARK: - Internals (called with the lock held)

    private func merge(_ fields: [ProgressField]) {
        for field in fields {
            if let index = state.fields.firstIndex(where: { $0.name == field.name }) {
                state.fields[index].value = field.value
            } else {
                state.fields.append(field)
            }
        }
    }

    private func current(at now: Double) -> ProgressSnapshot {
        var snapshot = state
        snapshot.elapsed = max(0, now - startTime)
        snapshot.rate = estimator.rate ?? snapshot.averageRate
        return snapshot
    }

    private func refresh() {
        guard !finished else { return }
        let now = clock()
        estimator.record(count: state.completed, at: now)
        switch style {
        case .terminal:
            if now - lastDraw >= 1 / ProgressReporter.maximumRedrawsPerSecond {
                draw(at: now)
            }
        case .log(let everySeconds, let everyPercent):
            let snapshot = current(at: now)
            if let total = snapshot.total, snapshot.completed >= total { return }  // the summary follows
            var due = everySeconds > 0 && now - lastLogTime >= everySeconds
            if let fraction = snapshot.fraction, fraction * 100 >= nextPercentMark {
                due = true
            }
            guard due else { return }
            write(ProgressLine.log(snapshot) + "\n")
            lastLogTime = now
            if let fraction = snapshot.fraction, everyPercent > 0 {
                nextPercentMark = ((fraction * 100 / everyPercent).rounded(.down) + 1) * everyPercent
            }
        }
    }

    private func draw(at now: Double) {
        guard case .terminal(let fixedWidth) = style else { return }
        let width = (fixedWidth ?? ProgressReporter.terminalColumns()) - 1
        write("\r" + ProgressLine.terminal(current(at: now), width: width) + "\u{1B}[K")
        lineVisible = true
        lastDraw = now
    }

    // MARK: - Defaults

    /// Writes to standard output and flushes, so a redrawn line appears at once.
    public static func writeToStandardOutput(_ text: String) {
        fputs(text, stdout)
        fflush(stdout)
    }

    /// Seconds of a monotonic clock (unaffected by changes of the wall clock).
    public static func monotonicSeconds() -> Double {
        Double(DispatchTime.now().uptimeNanoseconds) * 1e-9
    }

    /// The width of the terminal on standard output, or of $COLUMNS, or 80.
    static func terminalColumns() -> Int {
        var size = winsize()
        if ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 {
            return Int(size.ws_col)
        }
        if let columns = ProcessInfo.processInfo.environment["COLUMNS"].flatMap(Int.init), columns > 0 {
            return columns
        }
        return 80
    }
}
