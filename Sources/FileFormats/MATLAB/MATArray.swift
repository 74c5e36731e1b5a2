/// A numeric MATLAB array: its dimensions and its (real) values as Double, in MATLAB's
/// column-major order (the first index varies fastest).
public struct MATArray: Equatable, Sendable {
    public var dims: [Int]
    public var values: [Double]
    /// The MATLAB class the array had in the file, e.g. "double", "uint8", "uint16".
    public var matlabClass: String

    public init(dims: [Int], values: [Double], matlabClass: String = "double") {
        self.dims = dims
        self.values = values
        self.matlabClass = matlabClass
    }

    public var elementCount: Int { values.count }
}
