import Foundation

/// The JSON coders of the project's reports and benchmark documents: pretty, sorted keys, and a
/// number that is not finite (the rate of a run stopped before its first timing, a metric that
/// failed) written as the string "nan", "inf" or "-inf" instead of failing the whole document.
enum NonFiniteJSON {
    static func encoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(
            positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return encoder
    }

    /// Reads what `encoder()` wrote, the strings for non-finite numbers included.
    static func decoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(
            positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return decoder
    }
}
