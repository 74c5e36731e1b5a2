import ArgumentParser
import DataParallel
import FileFormats
import Foundation
import Pipeline

/// `pipeline run`: prepare → train-ae → encode → train-flow → (flow-latents → finetune-decoder)
/// → generate → evaluate, then when enabled train-pixel → compare; each stage reused when its
/// outputs are still valid for the current settings and the upstream outputs it read.
///
/// Nothing a user made is lost: the plan is decided before any stage runs; a training stage
/// whose model or checkpoint would be replaced stops the run unless `--force` is given, and
/// every stage that is redone first has its old outputs moved to `<run>/previous/`.
struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run every stage in order, reusing those whose cached artifacts are still valid.",
        discussion: """
            Settings come from --config or --preset, else from the run folder's saved run-config.yaml \
            (else the quick preset), then --set; the effective configuration is saved as \
            <artifacts>/<run>/run-config.yaml. A stage is redone when its settings, its code version or \
            the upstream outputs it read changed, or its own outputs were damaged; an interrupted training \
            stage resumes from its checkpoint with what is left of its budget. A trained model or \
            checkpoint is never replaced without --force; whatever a redone stage had made is moved to \
            <artifacts>/<run>/previous/, never deleted. --dry-run prints the plan and changes nothing. \
            The optional stages run only when enabled: the decoder fine-tune (on in the default and full \
            presets; generate then decodes with it; with flow-latents also enabled, its discriminator also \
            judges latents sampled from the flow), the pixel baseline and the latent-versus-pixel report: \
            --set compare.enabled=true (or `compare: { enabled: true }` under stages in the YAML file).
            """)

    @OptionGroup var selection: RunSelection

    @Option(help: ArgumentHelp("Run this stage and every one after it, even those up to date.", valueName: "stage"))
    var from: RunStage?
    @Option(help: ArgumentHelp("Run only this stage, even if it is up to date.", valueName: "stage"))
    var only: RunStage?
    @Flag(
        help: "Allow replacing trained models and checkpoints that must be redone (they are moved to <run>/previous/).")
    var force = false
    @Flag(help: "Print what would run and why, and change nothing.")
    var dryRun = false

    @OptionGroup var runtime: ThreadsOption

    func validate() throws {
        if only != nil && from != nil { throw ValidationError("--only and --from contradict each other: give one") }
    }

    func run() throws {
        // Under an MPI launcher rank 0 runs the stages; the others train with it (DataParallelRun).
        let ranks = try DataParallelGroup.fromEnvironment()
        if let ranks, !ranks.isWriter { return try DataParallelRun.follow(ranks) }
        // However rank 0's run ends, the others are told it is over (after a failure, MPI_Abort
        // ends them anyway).
        defer { if let ranks { try? DataParallelRun.announce(nil, to: ranks) } }

        let (config, source) = try selection.configuration()
        let runFolder = URL(fileURLWithPath: config.artifacts).appendingPathComponent(config.run)
        // Every stage's options are parsed before any work, so a bad setting fails at once.
        let settings = try StageCommands.allSettings(config, runFolder: runFolder)
        print("run '\(config.run)' in \(runFolder.path), settings from \(source)")

        // The run folder's lock before the ledger is read: a `run` that finished in between
        // would otherwise have its records overwritten with the stale ones read here. A dry run
        // writes nothing and takes no lock (it shows the plan of the moment).
        var lock: RunLock?
        if !dryRun {
            try FileManager.default.createDirectory(at: runFolder, withIntermediateDirectories: true)
            lock = try RunLock.acquire(in: runFolder.path)
        }
        defer { lock?.release() }
        let cache = DigestCache(runFolder: runFolder)
        defer { cache.save() }
        var ledger = try RunLedger.load(runFolder: runFolder)
        let adopted = LegacyLedger.adopt(
            &ledger, config: config, runFolder: runFolder, settings: settings, cache: cache)
        let plan = RunPlan.make(
            RunAssessment.assess(
                config: config, runFolder: runFolder, ledger: ledger,
                settings: settings, cache: cache),
            only: only, from: from, force: force)
        if dryRun {
            for (stage, action) in plan { print(RunPlanText.line(stage, action, runFolder: runFolder, planned: true)) }
            return
        }
        try Self.refuseWhatWouldLoseWork(plan, runFolder: runFolder)

        // The report at the end, however the run ends (complete, stopped or failed).
        defer { RunReportWriting.refresh(config: config, settingsFrom: source, cache: cache) }
        try AtomicFile.write(
            Data(try config.yaml().utf8), to: runFolder.appendingPathComponent(RunConfig.savedFileName))
        if !adopted.isEmpty {
            try ledger.save(runFolder: runFolder)
            print("adopted the records of pipeline 0.1 for \(adopted.map(\.rawValue).joined(separator: ", "))")
        }

        var assessments: [RunStage: StageAssessment] = [:]
        for stage in RunStage.allCases {
            // Judged again now: what the stages above made decides whether this one is done.
            let assessment = StageAssessment.judge(
                stage, config: config, runFolder: runFolder, ledger: ledger,
                settings: settings[stage]!, upstream: assessments, cache: cache)
            assessments[stage] = assessment
            let (selected, requested) = RunPlan.selection(of: stage, only: only, from: from)
            // No upstream "runs first" any more: those above have run, and this judgement saw what they made.
            let action = RunPlan.action(
                for: assessment, selected: selected, requested: requested,
                upstreamRunning: nil, force: force)
            print(RunPlanText.line(stage, action, runFolder: runFolder))
            if let note = assessment.note { print("[\(stage.rawValue)] note: \(note)") }
            switch action {
            case .notEnabled, .notSelected, .reuse: continue
            case .busy(let why): throw CLIError("stage \(stage.rawValue) is \(why); wait for it or stop it first")
            case .needsForce:
                // The stages above made new outputs after all (the plan expected the same bytes).
                try Self.refuseWhatWouldLoseWork([(stage, action)], runFolder: runFolder, afterStages: true)
            case .run, .resume: break
            }
            guard let key = assessment.key, let consumed = assessment.consumed else {
                let missing = stage.upstream.first { config.isEnabled($0) && assessments[$0]?.state != .done }
                throw CLIError(
                    "stage \(stage.rawValue) reads the outputs of \(missing?.rawValue ?? "an upstream stage"), "
                        + "which is not done: run it first (`pipeline run --from \(missing?.rawValue ?? stage.rawValue)`)"
                )
            }
            let resume = action == .resume
            let folder = runFolder.appendingPathComponent(stage.folder)
            if !resume, let moved = try PreviousOutputs.moveAside(contentsOf: folder, runFolder: runFolder) {
                print("[\(stage.rawValue)] its previous outputs were moved to \(moved.path)")
            }
            ledger[stage] = RunLedger.Entry(startedKey: key)
            try ledger.save(runFolder: runFolder)

            let arguments =
                try StageCommands.arguments(for: stage, in: config) + StageCommands.rerunFlags(stage, resume: resume)
            var command = try StageCommands.parse(stage, arguments)
            if let ranks, DataParallelRun.trainsAcrossRanks(stage) {
                try DataParallelRun.announce((stage, arguments), to: ranks)
            }
            try command.run()
            // A stage stopped by Ctrl-C/SIGTERM returns after saving its checkpoint, not complete;
            // one whose stop came after its last poll (during its final evaluation or export)
            // returns complete, and is recorded as done (see `StageCompletion`).
            let outcome = try StageCompletion.finish(
                stage, in: &ledger, runFolder: runFolder, key: key, settings: settings[stage]!,
                consumed: consumed, stopRequested: StopSignal.shared.stopRequested, cache: cache)
            if outcome != .stopped {
                try ledger.save(runFolder: runFolder)
                cache.save()
            }
            if outcome != .recorded {
                print(
                    outcome == .stopped
                        ? "[\(stage.rawValue)] stopped; `pipeline run` again resumes it"
                        : "[\(stage.rawValue)] complete; stopped before the next stage")
                return
            }
            assessments[stage] = StageAssessment.judge(
                stage, config: config, runFolder: runFolder, ledger: ledger,
                settings: settings[stage]!, upstream: assessments, cache: cache)
            RunReportWriting.refresh(config: config, settingsFrom: source, cache: cache)
        }
        print("run '\(config.run)' complete: \(runFolder.path)")
        let grid = runFolder.appendingPathComponent("samples/grid.png")
        if FileManager.default.fileExists(atPath: grid.path) { print("samples: \(grid.path)") }
        let metrics = runFolder.appendingPathComponent("reports/evaluate/metrics.json")
        if FileManager.default.fileExists(atPath: metrics.path) { print("metrics: \(metrics.path)") }
        let report = runFolder.appendingPathComponent("reports/compare/report.html")
        if config.isEnabled(.compare) && FileManager.default.fileExists(atPath: report.path) {
            print("compare: \(report.path)")
        }
        print("report: \(runFolder.appendingPathComponent(RunReport.fileName).path)")
    }

    /// Stops before anything changes when the plan would replace a trained model or checkpoint
    /// and `--force` was not given, naming each such stage and why it would be redone.
    static func refuseWhatWouldLoseWork(
        _ plan: [(stage: RunStage, action: StageAction)], runFolder: URL,
        afterStages: Bool = false
    ) throws {
        let blocked = plan.compactMap { entry -> String? in
            guard case .needsForce(let why) = entry.action else { return nil }
            return "  \(entry.stage.rawValue) (\(runFolder.appendingPathComponent(entry.stage.folder).path)): \(why)"
        }
        guard !blocked.isEmpty else { return }
        let done =
            afterStages
            ? "the stages above it ran and changed what it reads; it was left as it is"
            : "nothing was changed"
        throw CLIError(
            "this run would retrain stages that hold a trained model or checkpoint; \(done):\n"
                + blocked.joined(separator: "\n") + "\n"
                + "Rerun with --force to retrain them (what they hold is moved to "
                + "\(runFolder.appendingPathComponent(PreviousOutputs.folderName).path)/, not deleted), "
                + "or restore the settings they were made with (`pipeline status` shows them).")
    }
}
