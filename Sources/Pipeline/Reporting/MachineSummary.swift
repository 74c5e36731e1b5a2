import Foundation
import TensorCore

/// What a benchmark ran on: the OpenBLAS build and kernels, the thread count, and which
/// OpenBLAS variables `pipeline` itself set, so that figures from different runs compare.
public struct MachineSummary: Codable, Equatable, Sendable {
    public var pipelineVersion: String
    public var cpuModel: String?
    public var processorCount: Int
    public var blasCore: String
    public var blasConfig: String
    public var blasThreads: Int
    public var swiftThreads: Int
    /// OPENBLAS_* variables in force, with " (set by pipeline)" where `pipeline` set them.
    public var blasEnvironment: [String: String]

    /// The summary of this process.
    public static func current() -> MachineSummary {
        let environment = ProcessInfo.processInfo.environment
        let setByPipeline = Set(BLASProcessSetup.variablesSetByPipeline(environment: environment))
        var blasEnvironment: [String: String] = [:]
        for (name, value) in environment where name.hasPrefix("OPENBLAS_") {
            blasEnvironment[name] = setByPipeline.contains(name) ? "\(value) (set by pipeline)" : value
        }
        let cpuinfo = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
        return MachineSummary(
            pipelineVersion: PipelineVersion.current,
            cpuModel: cpuModel(cpuinfo: cpuinfo),
            processorCount: ProcessInfo.processInfo.activeProcessorCount,
            blasCore: BLASRuntime.coreName,
            blasConfig: BLASRuntime.config,
            blasThreads: BLASRuntime.threads,
            swiftThreads: BLASRuntime.configuredThreads,
            blasEnvironment: blasEnvironment)
    }

    /// The "model name" of the first processor in cpuinfo text, if listed.
    public static func cpuModel(cpuinfo: String) -> String? {
        for line in cpuinfo.split(separator: "\n") where line.hasPrefix("model name") {
            guard let colon = line.firstIndex(of: ":") else { continue }
            return line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        return nil
    }

    /// Several lines for the top of a benchmark printout.
    public var description: String {
        var lines = [
            "pipeline \(pipelineVersion) on \(cpuModel ?? "an unknown CPU") (\(processorCount) processors)",
            "BLAS: \(blasConfig)",
            "BLAS core in use: \(blasCore), \(blasThreads) thread\(blasThreads == 1 ? "" : "s")"
                + " (Swift loops: \(swiftThreads))",
        ]
        for name in blasEnvironment.keys.sorted() {
            lines.append("  \(name)=\(blasEnvironment[name] ?? "")")
        }
        return lines.joined(separator: "\n")
    }
}
