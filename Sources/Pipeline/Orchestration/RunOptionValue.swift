import Yams

/// One option value of a stage in a run configuration, in the stage command's own vocabulary
/// (`pipeline <stage> --help`): a switch, a value, or the values of an option that repeats.
///
/// The command parses it (`StageCommands`), so a YAML file, a preset, `--set` and the command
/// line mean the same thing by the same words; the typed options that parse produces are the
/// stage's settings (`StageSettings`) and hold every default.
public enum RunOptionValue: Equatable, Sendable {
    case flag(Bool)
    case value(String)
    case list([String])

    /// A scalar as written in YAML or after `--set stage.key=`: `true` and `false` are switches
    /// (YAML 1.2's booleans), everything else is the option's text.
    public init(text: String) {
        switch text.lowercased() {
        case "true": self = .flag(true)
        case "false": self = .flag(false)
        default: self = .value(text)
        }
    }

    /// The command-line arguments of option `name`; a switch set to false becomes `negated`
    /// (the command's `--no-` form) where there is one, and nothing otherwise.
    func arguments(name: String, negated: String? = nil) -> [String] {
        switch self {
        case .flag(let on): return on ? ["--\(name)"] : negated.map { ["--\($0)"] } ?? []
        case .value(let v): return ["--\(name)", v]
        case .list(let vs): return vs.isEmpty ? [] : ["--\(name)"] + vs
        }
    }
}

// Literals, so presets read as settings: `"minutes": 4`, `"guidance-interval": "0.2,1"`.
extension RunOptionValue: ExpressibleByBooleanLiteral, ExpressibleByIntegerLiteral, ExpressibleByFloatLiteral,
    ExpressibleByStringLiteral, ExpressibleByArrayLiteral
{
    public init(booleanLiteral value: Bool) { self = .flag(value) }
    public init(integerLiteral value: Int) { self = .value(String(value)) }
    public init(floatLiteral value: Double) { self = .value(String(value)) }
    public init(stringLiteral value: String) { self = .value(value) }
    public init(arrayLiteral elements: String...) { self = .list(elements) }
}

extension RunOptionValue: Codable {
    public init(from decoder: Decoder) throws {
        if var list = try? decoder.unkeyedContainer() {
            var items: [String] = []
            while !list.isAtEnd {
                guard let item = try? list.decode(String.self) else {
                    throw DecodingError.dataCorruptedError(
                        in: list, debugDescription: "a list item must be a number or text")
                }
                items.append(item)
            }
            self = .list(items)
            return
        }
        let single = try decoder.singleValueContainer()
        guard let text = try? single.decode(String.self) else {
            throw DecodingError.dataCorruptedError(
                in: single, debugDescription: "expected a number, text, true/false or a list")
        }
        self.init(text: text)
    }

    public func encode(to encoder: Encoder) throws {
        switch self {
        case .flag(let on):
            var single = encoder.singleValueContainer()
            try single.encode(on)
        case .value(let text):
            var single = encoder.singleValueContainer()
            try single.encode(ConfigScalar(text))
        case .list(let items):
            var list = encoder.unkeyedContainer()
            for item in items { try list.encode(ConfigScalar(item)) }
        }
    }
}

/// A value's text written so that it reads back as the same text: what YAML reads as a number
/// stays plain, in the user's own spelling (`4`, `0.25`); anything else is written as a string,
/// quoted where YAML would read it as something else (`'no'`, `'x: y'`). The reader takes every
/// scalar as text, so the text comes back unchanged.
private struct ConfigScalar: YAMLEncodable {
    let text: String
    init(_ text: String) { self.text = text }

    func box() -> Node {
        switch Resolver.default.resolveTag(of: Node(text)) {
        case .int, .float: return Node(text)
        default: return .scalar(text.represented())
        }
    }

    func encode(to encoder: Encoder) throws {
        var single = encoder.singleValueContainer()
        try single.encode(text)
    }
}
