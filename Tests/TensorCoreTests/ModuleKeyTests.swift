import TensorCore
import XCTest

/// A module's parameters are named by the keys it registers them under, never by its Swift
/// property names; a dotted key stands in for a PyTorch container the Swift code has no class for.
final class ModuleKeyTests: XCTestCase {
    /// Two layers of a reference `proj = Sequential(Linear, SiLU, Linear)`, held in properties
    /// named for what they do, plus a parameter of its own.
    final class Projection: Module {
        let expand: Linear
        let contract: Linear
        let gain: Variable

        init(generator: inout SeededGenerator) {
            expand = Linear(2, 3, generator: &generator)
            contract = Linear(3, 2, bias: false, generator: &generator)
            gain = Variable(parameter: Tensor(shape: [2], repeating: 1))
            super.init()
            registerParameter(gain, as: "g")
            register(expand, as: "proj.0")
            register(contract, as: "proj.2")
        }
    }

    func testParametersCarryTheRegisteredKeysInRegistrationOrder() {
        var generator = SeededGenerator(seed: 3)
        let module = Projection(generator: &generator)
        XCTAssertEqual(module.namedParameters().map(\.name), ["g", "proj.0.weight", "proj.0.bias", "proj.2.weight"])
        XCTAssertEqual(module.children.map(\.name), ["proj.0", "proj.2"])
        XCTAssertTrue(module.namedParameters()[3].variable === module.contract.weight)
    }

    func testLoadingByKeyFillsTheLayerRegisteredUnderIt() throws {
        var generator = SeededGenerator(seed: 4)
        let module = Projection(generator: &generator)
        let expandBefore = module.expand.weight.value.values
        var state = module.stateDictionary()
        state["proj.2.weight"] = Tensor(shape: [2, 3], values: [1, 2, 3, 4, 5, 6])
        try module.loadStateDictionary(state)
        XCTAssertEqual(module.contract.weight.value.values, [1, 2, 3, 4, 5, 6])
        XCTAssertEqual(module.expand.weight.value.values, expandBefore)
    }

    func testAWrongKeyIsNamedWhenLoading() {
        var generator = SeededGenerator(seed: 5)
        let module = Projection(generator: &generator)
        var state = module.stateDictionary()
        state["contract.weight"] = state.removeValue(forKey: "proj.2.weight")
        XCTAssertThrowsError(try module.loadStateDictionary(state, source: "x.safetensors")) { error in
            let text = "\(error)"
            XCTAssertTrue(text.hasPrefix("x.safetensors:"), text)
            XCTAssertTrue(text.contains("proj.2.weight") && text.contains("contract.weight"), text)
        }
    }
}
