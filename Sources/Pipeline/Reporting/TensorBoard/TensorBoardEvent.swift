/// The part of TensorBoard's `Event` protocol buffer that training writes: the file's version
/// header, a session (re)start, and summaries of scalars and PNG images.
///
/// Field numbers are those of `tensorboard/compat/proto/event.proto` and `summary.proto`:
/// Event { double wall_time = 1; int64 step = 2; string file_version = 3; Summary summary = 5;
/// SessionLog session_log = 7 }, SessionLog { SessionStatus status = 1 (START = 1) },
/// Summary { repeated Value value = 1 }, Summary.Value { string tag = 1; float simple_value = 2;
/// Image image = 4 }, Summary.Image { int32 height = 1; int32 width = 2; int32 colorspace = 3;
/// bytes encoded_image_string = 4 }. TensorBoard turns `simple_value` into its scalar plugin's
/// data and `image` into its image plugin's.
public struct TensorBoardEvent: Equatable, Sendable {
    public struct Image: Equatable, Sendable {
        public var width: Int
        public var height: Int
        /// 1 grey, 3 RGB, 4 RGBA.
        public var colorspace: Int
        /// The encoded image (PNG).
        public var encoded: [UInt8]

        public init(width: Int, height: Int, colorspace: Int = 3, encoded: [UInt8]) {
            self.width = width
            self.height = height
            self.colorspace = colorspace
            self.encoded = encoded
        }
    }

    public enum Value: Equatable, Sendable {
        case scalar(Float)
        case image(Image)
    }

    public struct TaggedValue: Equatable, Sendable {
        public var tag: String
        public var value: Value

        public init(_ tag: String, _ value: Value) {
            self.tag = tag
            self.value = value
        }
    }

    public enum Content: Equatable, Sendable {
        /// The first event of every file ("brain.Event:2": TensorBoard then purges on restarts).
        case fileVersion(String)
        /// A session starts at `step`: TensorBoard drops what earlier sessions logged at this
        /// step and after (a run resumed from a checkpoint re-logs those steps).
        case sessionStart
        case summary([TaggedValue])
        /// Anything else (only met when reading files written by others).
        case other
    }

    /// The version TensorBoard reads with restart purging.
    public static let fileVersion = "brain.Event:2"

    public var wallTime: Double
    public var step: Int64
    public var content: Content

    public init(wallTime: Double, step: Int64, content: Content) {
        self.wallTime = wallTime
        self.step = step
        self.content = content
    }

    enum EventField { static let wallTime = 1, step = 2, fileVersion = 3, summary = 5, sessionLog = 7 }
    enum SessionLogField { static let status = 1, start: Int64 = 1 }
    enum SummaryField { static let value = 1 }
    enum ValueField { static let tag = 1, simpleValue = 2, image = 4 }
    enum ImageField { static let height = 1, width = 2, colorspace = 3, encoded = 4 }

    /// The message's bytes.
    public func encoded() -> [UInt8] {
        var writer = ProtobufWriter()
        writer.double(EventField.wallTime, wallTime)
        if step != 0 { writer.int(EventField.step, step) }
        switch content {
        case .fileVersion(let version):
            writer.string(EventField.fileVersion, version)
        case .sessionStart:
            writer.message(EventField.sessionLog) { $0.int(SessionLogField.status, SessionLogField.start) }
        case .summary(let values):
            writer.message(EventField.summary) { summary in
                for value in values {
                    summary.message(SummaryField.value) { field in
                        field.string(ValueField.tag, value.tag)
                        switch value.value {
                        case .scalar(let number):
                            field.float(ValueField.simpleValue, number)
                        case .image(let image):
                            field.message(ValueField.image) {
                                $0.int(ImageField.height, Int64(image.height))
                                $0.int(ImageField.width, Int64(image.width))
                                $0.int(ImageField.colorspace, Int64(image.colorspace))
                                $0.bytes(ImageField.encoded, image.encoded)
                            }
                        }
                    }
                }
            }
        case .other:
            break
        }
        return writer.bytes
    }

    /// Reads an encoded `Event`; fields this type does not model are ignored.
    public static func decode(_ bytes: [UInt8]) throws -> TensorBoardEvent {
        var event = TensorBoardEvent(wallTime: 0, step: 0, content: .other)
        for field in try ProtobufReader.fields(bytes) {
            switch field.number {
            case EventField.wallTime: event.wallTime = field.value.double ?? 0
            case EventField.step: event.step = field.value.integer ?? 0
            case EventField.fileVersion: event.content = .fileVersion(field.value.text ?? "")
            case EventField.sessionLog:
                let status = try ProtobufReader.fields(field.value.data ?? []).first {
                    $0.number == SessionLogField.status
                }
                if status?.value.integer == SessionLogField.start { event.content = .sessionStart }
            case EventField.summary:
                event.content = .summary(try summaryValues(field.value.data ?? []))
            default: break
            }
        }
        return event
    }

    private static func summaryValues(_ bytes: [UInt8]) throws -> [TaggedValue] {
        try ProtobufReader.fields(bytes).filter { $0.number == SummaryField.value }.compactMap { entry in
            var tag = "", value: Value?
            for field in try ProtobufReader.fields(entry.value.data ?? []) {
                switch field.number {
                case ValueField.tag: tag = field.value.text ?? ""
                case ValueField.simpleValue: value = field.value.float.map(Value.scalar)
                case ValueField.image:
                    var image = Image(width: 0, height: 0, colorspace: 0, encoded: [])
                    for part in try ProtobufReader.fields(field.value.data ?? []) {
                        switch part.number {
                        case ImageField.height: image.height = Int(part.value.integer ?? 0)
                        case ImageField.width: image.width = Int(part.value.integer ?? 0)
                        case ImageField.colorspace: image.colorspace = Int(part.value.integer ?? 0)
                        case ImageField.encoded: image.encoded = part.value.data ?? []
                        default: break
                        }
                    }
                    value = .image(image)
                default: break
                }
            }
            return value.map { TaggedValue(tag, $0) }
        }
    }
}
