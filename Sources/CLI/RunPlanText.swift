import Foundation
import Pipeline

/// The `[stage] …` lines of `pipeline run`, and of its `--dry-run` plan (`planned`), which says
/// what would happen.
enum RunPlanText {
    static func line(_ stage: RunStage, _ action: StageAction, runFolder: URL, planned: Bool = false) -> String {
        let name = "[\(stage.rawValue)] "
        switch action {
        case .reuse:
            return name
                + "up to date, \(planned ? "would reuse" : "reusing") \(runFolder.appendingPathComponent(stage.folder).path)"
        case .resume: return name + "\(planned ? "would resume" : "resuming") (\(RunStageState.interrupted))"
        case .run(let why): return name + "\(planned ? "would run" : "running") (\(why))"
        case .needsForce(let why): return name + "would retrain (\(why)): needs --force"
        case .notEnabled: return name + "not enabled (enable with --set \(stage.rawValue).enabled=true)"
        case .notSelected: return name + "not selected"
        case .busy(let why): return name + why
        }
    }
}
