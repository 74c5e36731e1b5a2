/// The version of the `pipeline` tool, printed by `pipeline --version` and written into reports.
public enum PipelineVersion {
    public static let current = "0.1.0"
}
