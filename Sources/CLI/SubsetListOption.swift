import ArgumentParser
import Datasets
import Pipeline

/// Dataset subsets given as one option: commas or separate words ("train,test" or "train test"),
/// so that a YAML list in a `pipeline run` configuration reaches the command intact.
enum SubsetListOption {
    static func parse(_ words: [String], option: String) throws -> [DatasetSubset] {
        try words.joined(separator: ",").split(separator: ",").map { name in
            let text = name.trimmingCharacters(in: .whitespaces)
            guard let subset = DatasetSubset(subsetName: text) else {
                throw ValidationError("\(option): unknown subset '\(text)' (train, validation, test)")
            }
            return subset
        }
    }
}
