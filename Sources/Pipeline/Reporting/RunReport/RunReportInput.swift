import Foundation

/// What a run report is drawn from besides the files of the run folder: each stage as the caller
/// judged it (`pipeline status`'s judgement: `RunAssessment.assess` with the stage commands'
/// settings, which only the command-line layer can parse) and the ledger's records.
public struct RunReportInput {
    public struct Stage {
        public var stage: RunStage
        public var state: RunStageState
        /// What the stage last completed with (settings, time); nil when it never completed under
        /// `pipeline run`.
        public var record: StageRecord?
    }

    public var run: String
    public var runFolder: URL
    /// Where the settings the stages were judged against came from (as `status` prints it).
    public var settingsFrom: String
    /// Every stage, in `RunStage` order.
    public var stages: [Stage]
    public var createdAt: Date

    public init(
        run: String, runFolder: URL, settingsFrom: String, states: [RunStage: RunStageState], ledger: RunLedger,
        createdAt: Date = Date()
    ) {
        self.run = run
        self.runFolder = runFolder
        self.settingsFrom = settingsFrom
        stages = RunStage.allCases.map { Stage(stage: $0, state: states[$0] ?? .missing, record: ledger[$0]?.record) }
        self.createdAt = createdAt
    }

    /// The folder of `stage`.
    public func folder(_ stage: RunStage) -> URL { runFolder.appendingPathComponent(stage.folder) }

    public func state(of stage: RunStage) -> RunStageState {
        stages.first { $0.stage == stage }?.state ?? .missing
    }
}
