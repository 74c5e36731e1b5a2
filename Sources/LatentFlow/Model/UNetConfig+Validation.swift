import FileFormats

extension UNetConfig {
    /// Throws unless the network can be built: positive sizes, a group-norm-friendly base width
    /// and attention on at most every level. `source` names the file or option in the message.
    public func validate(source: String) throws {
        func bad(_ message: String) -> FileFormatError {
            FileFormatError(.malformed, path: source, "UNet config: \(message)")
        }
        guard channels >= 1 && channels <= 64 else { throw bad("channels must be in 1...64, got \(channels)") }
        guard base >= 2 && base % 2 == 0 && base <= 1024 else {
            throw bad("base width must be even and in 2...1024, got \(base)")
        }
        guard !multipliers.isEmpty && multipliers.count <= 8 && multipliers.allSatisfy({ $0 >= 1 && $0 <= 16 }) else {
            throw bad("multipliers must be 1 to 8 values in 1...16, got \(multipliers)")
        }
        guard classCount >= 0 && classCount <= 100_000 else {
            throw bad("class count must be in 0...100000, got \(classCount)")
        }
        guard attentionLevels >= 0 && attentionLevels <= multipliers.count else {
            throw bad("attention levels must be in 0...\(multipliers.count), got \(attentionLevels)")
        }
    }

    /// The smallest image side the network accepts: it halves the resolution once per level after the first.
    public var sideDivisor: Int { 1 << (multipliers.count - 1) }
}
