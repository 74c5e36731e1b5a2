import Foundation

/// Memory use of this process as the Linux kernel reports it in /proc/self/status.
public enum ProcessMemory {
    /// The peak resident set size ("high water mark", VmHWM) in bytes; nil where unavailable.
    public static func peakResidentBytes() -> Int? { statusField("VmHWM") }

    /// The current resident set size (VmRSS) in bytes; nil where unavailable.
    public static func residentBytes() -> Int? { statusField("VmRSS") }

    /// The value in bytes of a "Name:   1234 kB" line of /proc/<pid>/status text, or nil if the
    /// field is missing or malformed.
    public static func statusField(_ name: String, in statusText: String) -> Int? {
        for line in statusText.split(separator: "\n") {
            guard line.hasPrefix(name + ":") else { continue }
            let words = line.dropFirst(name.count + 1).split(separator: " ", omittingEmptySubsequences: true)
                .flatMap { $0.split(separator: "\t") }
            guard let first = words.first, let value = Int(first), value >= 0 else { return nil }
            let unit = words.count > 1 ? words[1].lowercased() : ""
            switch unit {
            case "kb": return value * 1024
            case "": return value
            default: return nil
            }
        }
        return nil
    }

    static func statusField(_ name: String) -> Int? {
        guard let text = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return nil }
        return statusField(name, in: text)
    }
}
