import Pipeline

/// Each stage's command-line arguments under `config`: what the CLI parses into the stage's
/// typed settings (`StageSettings`), so two configurations give a stage the same settings
/// exactly when they give it the same arguments.
func stageArguments(_ config: RunConfig) -> [RunStage: [String]] {
    Dictionary(uniqueKeysWithValues: RunStage.allCases.map { ($0, config.arguments(for: $0)) })
}
