/// Synthetic flowers as a catalog: `count` images whose classes take turns, split per class.
enum SyntheticCatalog {
    /// A guard against typos such as an extra zero or three (a million images is ~60 GB at 144 px).
    static let maximumCount = 1_000_000

    static func catalog(count: Int, classes: Int, seed: UInt64, split: RandomSplit) throws -> DatasetCatalog {
        guard count >= 1 && count <= maximumCount else {
            throw DatasetError(.invalidArgument, "synthetic image count must be in 1...\(maximumCount), got \(count)")
        }
        let generator = try SyntheticFlowers(classCount: classes, seed: seed)
        let labels = (0..<count).map { generator.label(index: $0) }
        let subsets = try split.subsets(count: count, labels: labels)
        let digits = max(6, String(count - 1).count)
        let items = (0..<count).map { i -> DatasetItem in
            let number = String(i)
            let name = "synthetic/" + String(repeating: "0", count: max(0, digits - number.count)) + number
            return DatasetItem(name: name, label: labels[i], subset: subsets[i], origin: .synthetic(index: i))
        }
        var parameters = split.parameters
        parameters["count"] = "\(count)"
        parameters["classes"] = "\(classes)"
        parameters["seed"] = "\(seed)"
        return DatasetCatalog(
            kind: .synthetic, root: nil, classNames: generator.classNames, items: items,
            parameters: parameters, generator: generator)
    }
}
