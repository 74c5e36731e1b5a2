import Foundation

/// The instruction-set family this binary was compiled for, and (on Linux) the CPU feature
/// flags the kernel reports, which decide which OpenBLAS kernels can run here.
public enum CPUArchitecture: String, Sendable, Equatable {
    case x86_64
    case arm64
    case other

    /// The architecture of the running binary.
    public static var current: CPUArchitecture {
        #if arch(x86_64)
            return .x86_64
        #elseif arch(arm64)
            return .arm64
        #else
            return .other
        #endif
    }

    /// The feature flags of the first processor listed in `cpuinfo` text (x86 "flags", ARM
    /// "Features"), lower-cased; nil if the text lists none.
    public static func featureFlags(cpuinfo: String) -> Set<String>? {
        for line in cpuinfo.split(separator: "\n", omittingEmptySubsequences: true) {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let key = line[..<colon].trimmingCharacters(in: .whitespaces).lowercased()
            guard key == "flags" || key == "features" else { continue }
            let words = line[line.index(after: colon)...].split(separator: " ").map { $0.lowercased() }
            return Set(words)
        }
        return nil
    }

    /// The feature flags of this machine from /proc/cpuinfo; nil where that file does not exist.
    public static func currentFeatureFlags() -> Set<String>? {
        guard let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8) else { return nil }
        return featureFlags(cpuinfo: text)
    }
}
