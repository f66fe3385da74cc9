/// The rules a set of definitions must follow together: unique experiment keys,
/// and disjoint bucket ranges for experiments that share a layer.
enum CatalogRules {
    /// Every violation among `definitions`, reported in the later file and naming
    /// the earlier one.
    static func check(_ definitions: [ExperimentDefinition]) -> [DefinitionError] {
        var errors: [DefinitionError] = []

        var firstByKey: [String: ExperimentDefinition] = [:]
        for definition in definitions {
            guard let first = firstByKey[definition.key] else {
                firstByKey[definition.key] = definition
                continue
            }
            errors.append(
                DefinitionError(
                    path: definition.origin?.path ?? definition.key,
                    location: definition.origin?.key,
                    message: "experiment key must be unique across files, got "
                        + "\"\(definition.key)\" again (first in \(place(of: first)))"))
        }

        var earlierInLayer: [String: [ExperimentDefinition]] = [:]
        for definition in definitions {
            guard let layer = definition.layer else { continue }
            for other in earlierInLayer[layer.name, default: []] {
                guard let otherLayer = other.layer, otherLayer.buckets.overlaps(layer.buckets)
                else { continue }
                errors.append(
                    DefinitionError(
                        path: definition.origin?.path ?? definition.key,
                        location: definition.origin?.layer ?? definition.origin?.key,
                        message: "layer `\(layer.name)` buckets must not overlap another "
                            + "experiment's, got \(show(layer.buckets)) overlapping "
                            + "\(show(otherLayer.buckets)) of \"\(other.key)\" "
                            + "(\(place(of: other, atLayer: true)))"))
            }
            earlierInLayer[layer.name, default: []].append(definition)
        }
        return errors
    }

    /// `path:line:column` of a definition's key or layer, for naming the other file.
    static func place(of definition: ExperimentDefinition, atLayer: Bool = false) -> String {
        guard let origin = definition.origin else { return "defined in code" }
        let location = (atLayer ? origin.layer : nil) ?? origin.key
        return "\(origin.path):\(location.line):\(location.column)"
    }

    /// A bucket range as written in YAML's half-open notation.
    static func show(_ range: Range<Int>) -> String {
        "[\(range.lowerBound), \(range.upperBound))"
    }
}
