import Foundation
import Pipeline

/// Where a run stands right now, read from its folder without changing anything: which stages
/// are running (a process holds the stage folder's lock), finished (a manifest) or not started,
/// and for the training stage being followed its newest metrics lines, its budget and its
/// newest grid.
struct LiveProgress {
    enum Condition: Equatable {
        case running(pid: Int32?)
        case finished
        case unfinished
        case notStarted
        case notEnabled

        var text: String {
            switch self {
            case .running(let pid?): return "running (pid \(pid))"
            case .running(nil): return "running"
            case .finished: return "finished"
            case .unfinished: return "started, not finished"
            case .notStarted: return "not started"
            case .notEnabled: return "not enabled"
            }
        }

        var cssClass: String {
            switch self {
            case .running: return "running"
            case .finished: return "done"
            case .unfinished: return "stale"
            case .notStarted: return "missing"
            case .notEnabled: return "not-enabled"
            }
        }
    }

    var run: String
    var stages: [(stage: RunStage, condition: Condition)]
    /// The training stage shown: the one running, else the one whose log moved last.
    var followed: RunStage?
    var metrics = MetricsTail()
    /// The budget from the run's saved configuration, when it gives one.
    var plannedSteps: Int?
    var plannedMinutes: Double?
    /// The newest grid, relative to the artifacts folder, and its step.
    var grid: (path: String, step: Int)?

    static let trainingStages: [RunStage] = [.trainAE, .finetuneDecoder, .trainFlow, .distillFlow, .trainPixel]

    static func read(artifacts: URL, run: String) -> LiveProgress {
        let runFolder = artifacts.appendingPathComponent(run)
        let config = try? RunConfig.load(from: runFolder.appendingPathComponent(RunConfig.savedFileName))
        let manager = FileManager.default
        var progress = LiveProgress(run: run, stages: [])
        for stage in RunStage.allCases {
            let folder = runFolder.appendingPathComponent(stage.folder)
            let condition: Condition
            if let config, !config.isEnabled(stage) {
                condition = .notEnabled
            } else if let holder = RunLock.holder(of: folder.path) {
                condition = .running(pid: holder.pid)
            } else if manager.fileExists(atPath: folder.appendingPathComponent(StageFiles.manifest).path) {
                condition = .finished
            } else if !((try? manager.contentsOfDirectory(atPath: folder.path))?.filter { !$0.hasPrefix(".") }.isEmpty
                ?? true)
            {
                condition = .unfinished
            } else {
                condition = .notStarted
            }
            progress.stages.append((stage, condition))
        }

        func log(_ stage: RunStage) -> URL {
            runFolder.appendingPathComponent(stage.folder).appendingPathComponent("metrics.jsonl")
        }
        let running = progress.stages.first { entry in
            trainingStages.contains(entry.stage)
                && { if case .running = entry.condition { return true } else { return false } }()
        }?.stage
        let newest = trainingStages.compactMap { stage -> (RunStage, Date)? in
            guard let date = (try? manager.attributesOfItem(atPath: log(stage).path))?[.modificationDate] as? Date
            else { return nil }
            return (stage, date)
        }.max { $0.1 < $1.1 }?.0
        guard let followed = running ?? newest else { return progress }
        progress.followed = followed
        progress.metrics = MetricsTail.read(log(followed))
        let options = config?.effectiveOptions(for: followed) ?? [:]
        if case .value(let steps)? = options["steps"] { progress.plannedSteps = Int(steps) }
        if case .value(let minutes)? = options["minutes"] { progress.plannedMinutes = Double(minutes) }
        if let latest = LatestGrid.find(inStageFolder: runFolder.appendingPathComponent(followed.folder)) {
            progress.grid = ("\(run)/\(followed.folder)/grids/\(latest.url.lastPathComponent)", latest.step)
        }
        return progress
    }

    /// Steps done by the newest training line: the autoencoder logs a step's 0-based index, the
    /// flow the number of steps done.
    var stepsDone: Int? {
        guard let line = metrics.training, let step = Self.number(line["step"]) else { return nil }
        return Int(step) + (line["stepSeconds"] != nil ? 1 : 0)
    }

    /// Training seconds so far, over all sessions.
    var trainingSeconds: Double? {
        guard let line = metrics.training else { return nil }
        return Self.number(line["train_seconds"]) ?? Self.number(line["elapsed"])
    }

    /// The newest numbers worth a glance, labelled, in a fixed order.
    var figures: [(String, String)] {
        var figures: [(String, String)] = []
        let line = metrics.training ?? [:]
        func add(_ label: String, _ keys: [String], _ format: (Double) -> String) {
            if let value = keys.lazy.compactMap({ Self.number(line[$0]) }).first {
                figures.append((label, format(value)))
            }
        }
        add("loss", ["loss"], ReportFormat.number)
        add("PSNR (batch)", ["psnr"]) { String(format: "%.2f dB", $0) }
        add("learning rate", ["lr", "learningRate"]) { String(format: "%.2e", $0) }
        add("speed", ["images_per_second", "imagesPerSecond"]) { ReportFormat.rate($0, unit: "img") }
        if let seconds = trainingSeconds { figures.append(("training time", ReportFormat.duration(seconds))) }
        if let evaluation = metrics.evaluation, let swd = Self.number(evaluation["swd_mean"]) {
            let step = Self.number(evaluation["step"]).map { " at step \(Int($0))" } ?? ""
            figures.append(("SWD ×10³", String(format: "%.2f", swd) + step))
        }
        return figures
    }

    static func number(_ value: Any?) -> Double? {
        if let double = value as? Double { return double }
        if let int = value as? Int { return Double(int) }
        return (value as? NSNumber)?.doubleValue
    }
}
