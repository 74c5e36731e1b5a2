import ArgumentParser
import Pipeline

/// `--run` and `--artifacts`: where a stage command's run folder is (`<artifacts>/<run>`), with
/// one spelling, one help text and one default for every stage.
struct RunFolderOptions: ParsableArguments {
    @Option(name: .customLong("run"), help: "Run name: the folder under --artifacts.")
    var runName = ArtifactFolders.defaultRun
    @Option(help: ArgumentHelp("Folder of the runs.", valueName: "dir"))
    var artifacts = ArtifactFolders.defaultArtifacts
}
