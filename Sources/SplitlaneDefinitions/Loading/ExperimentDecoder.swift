import Foundation

/// Turns one parsed document into an ``ExperimentDefinition``, checking every rule
/// of the schema that concerns a single file and recording every violation.
struct ExperimentDecoder {
    var reader: SchemaReader

    init(path: String) {
        reader = SchemaReader(path: path)
    }

    static let experimentFields = [
        "key", "name", "owner", "description", "unit", "status", "start", "end", "salt",
        "coverage", "layer", "eligibility", "arms", "overrides", "metrics", "segments",
        "analysis",
    ]
    static let armFields = ["key", "weight", "control", "cost", "description"]
    static let layerFields = ["name", "buckets"]
    static let metricFields = [
        "key", "type", "event", "aggregate", "window", "primary", "direction", "cuped",
        "description",
    ]
    static let analysisFields = ["alpha", "correction", "minimum_units"]
    static let operators = ["eq", "ne", "in", "not_in", "lt", "lte", "gt", "gte", "exists"]

    /// The total of arm weights may not exceed the number of buckets, so every arm
    /// owns at least one bucket.
    static let bucketCount = 10_000

    /// Decodes the root node; returns `nil` when any error was recorded.
    mutating func decode(_ root: YAMLNode) -> ExperimentDefinition? {
        guard let fields = reader.fields(of: root, "the experiment", allowed: Self.experimentFields)
        else { return nil }

        let keyNode = required(fields, "key", in: "the experiment")
        let key = keyNode.flatMap { reader.key($0, "experiment key") }
        let name = required(fields, "name", in: "the experiment")
            .flatMap { reader.string($0, "experiment name") }
        let owner = fields["owner"].flatMap { reader.string($0, "experiment owner") }
        let description = fields["description"]
            .flatMap { reader.string($0, "experiment description", allowEmpty: true) }
        let unit = required(fields, "unit", in: "the experiment")
            .flatMap { reader.key($0, "experiment unit") }
        let status = fields["status"].map {
            reader.choice($0, "experiment status", as: ExperimentDefinition.Status.self)
        } ?? .draft
        let salt = fields["salt"].flatMap { reader.string($0, "experiment salt") }

        let start = fields["start"].flatMap { reader.timestamp($0, "experiment start") }
        let end = fields["end"].flatMap { reader.timestamp($0, "experiment end") }
        if let start, let end, let endNode = fields["end"], end <= start {
            reader.fail(endNode, "experiment end", mustBe: "later than its start")
        }

        var coverage: Double? = 1
        if let coverageNode = fields["coverage"] {
            let expectation = "a number in 0...1"
            coverage = reader.number(coverageNode, "coverage", expectation: expectation)
            if let value = coverage, !(0...1).contains(value) {
                reader.fail(coverageNode, "coverage", mustBe: expectation)
                coverage = nil
            }
        }

        let layer = fields["layer"].map { decodeLayer($0) }
        let eligibility = fields["eligibility"].map { decodeEligibility($0) } ?? []
        let arms = required(fields, "arms", in: "the experiment").flatMap { decodeArms($0) }
        let overrides = fields["overrides"].map { decodeOverrides($0, arms: arms ?? []) } ?? []
        let metrics = fields["metrics"].map { decodeMetrics($0) } ?? []
        let segments = fields["segments"].map { decodeSegments($0) } ?? []
        let analysis = fields["analysis"].map { decodeAnalysis($0) } ?? AnalysisSettings()

        guard reader.errors.isEmpty, let key, let keyNode, let name, let unit, let status,
            let coverage, let arms, let analysis
        else { return nil }
        let origin = ExperimentDefinition.Origin(
            path: reader.path, key: keyNode.location, layer: fields["layer"]?.location)
        return ExperimentDefinition(
            key: key, name: name, owner: owner, description: description, unit: unit,
            status: status, start: start, end: end, salt: salt, coverage: coverage,
            layer: layer ?? nil, eligibility: eligibility, arms: arms, overrides: overrides,
            metrics: metrics, segments: segments, analysis: analysis, origin: origin)
    }

    /// A required field's value (possibly null, which its reader then rejects), or
    /// `nil` after reporting that the field is missing.
    mutating func required(_ fields: Fields, _ name: String, in subject: String) -> YAMLNode? {
        guard let entry = fields.entries[name] else {
            reader.fail(
                at: fields.location, "\(subject) must have the field `\(name)`, got none")
            return nil
        }
        return entry.value
    }

    // MARK: Layer

    mutating func decodeLayer(_ node: YAMLNode) -> Layer? {
        guard let fields = reader.fields(of: node, "the layer", allowed: Self.layerFields)
        else { return nil }
        let name = required(fields, "name", in: "the layer")
            .flatMap { reader.key($0, "layer name") }
        guard let bucketsNode = required(fields, "buckets", in: "the layer"),
            let items = reader.list(bucketsNode, "layer buckets")
        else { return nil }

        let expectation = "two whole numbers [from, to) with 0 <= from < to <= 10000"
        guard items.count == 2 else {
            reader.fail(bucketsNode, "layer buckets", mustBe: expectation)
            return nil
        }
        let bounds = items.map {
            reader.integer(
                $0, "layer bucket bound", in: 0...Self.bucketCount,
                expectation: "a whole number in 0...10000")
        }
        guard let name, let lower = bounds[0], let upper = bounds[1] else { return nil }
        guard lower < upper else {
            reader.fail(items[1], "layer buckets' upper bound", mustBe: "greater than \(lower)")
            return nil
        }
        return Layer(name: name, buckets: lower..<upper)
    }

    // MARK: Arms and overrides

    mutating func decodeArms(_ node: YAMLNode) -> [Arm]? {
        guard let items = reader.list(node, "arms") else { return nil }
        var arms: [Arm] = []
        var firstKey: [String: SourceLocation] = [:]
        var firstControl: SourceLocation?
        var totalWeight = 0
        var isComplete = true

        for item in items {
            guard let fields = reader.fields(of: item, "an arm", allowed: Self.armFields),
                let keyNode = required(fields, "key", in: "an arm")
            else {
                isComplete = false
                continue
            }
            let key = reader.key(keyNode, "arm key")
            if let key {
                if let first = firstKey[key] {
                    reader.fail(
                        keyNode, "arm key",
                        mustBe: "unique (\"\(key)\" is first at line \(first.line))")
                }
                firstKey[key] = firstKey[key] ?? keyNode.location
            }

            let weight = fields["weight"].map {
                reader.integer(
                    $0, "arm weight", in: 1...Self.bucketCount,
                    expectation: "a positive integer of at most 10000")
            } ?? 1
            let isControl = fields["control"].map { reader.bool($0, "arm control") } ?? false
            if isControl == true, let controlNode = fields["control"] {
                if let firstControl {
                    reader.fail(
                        at: controlNode.location,
                        "experiment must have exactly one control arm, got a second "
                            + "(the first is at line \(firstControl.line))")
                } else {
                    firstControl = controlNode.location
                }
            }
            let cost = fields["cost"].flatMap { costNode -> Double? in
                guard let value = reader.number(
                    costNode, "arm cost", expectation: "a non-negative number")
                else { return nil }
                guard value >= 0 else {
                    reader.fail(costNode, "arm cost", mustBe: "a non-negative number")
                    return nil
                }
                return value
            }
            let description = fields["description"]
                .flatMap { reader.string($0, "arm description", allowEmpty: true) }

            guard let key, let weight, let isControl else {
                isComplete = false
                continue
            }
            totalWeight += weight
            arms.append(
                Arm(key: key, weight: weight, isControl: isControl, cost: cost,
                    description: description))
        }

        if items.count < 2 {
            reader.fail(
                at: node.location, "experiment must have at least two arms, got \(items.count)")
        }
        if isComplete, !items.isEmpty, firstControl == nil {
            reader.fail(
                at: node.location,
                "experiment must have exactly one arm with `control: true`, got none")
        }
        if totalWeight > Self.bucketCount {
            reader.fail(
                at: node.location,
                "arm weights must add up to at most 10000 so every arm owns a bucket, "
                    + "got \(totalWeight)")
        }
        return isComplete ? arms : nil
    }

    mutating func decodeOverrides(
        _ node: YAMLNode, arms: [Arm]
    ) -> [ExperimentDefinition.Override] {
        guard case .mapping(let entries) = node.kind else {
            reader.fail(node, "overrides", mustBe: "a mapping of unit id to arm key")
            return []
        }
        let armKeys = arms.map(\.key)
        var overrides: [ExperimentDefinition.Override] = []
        for entry in entries {
            guard let unit = reader.string(entry.key, "override unit id"),
                let arm = reader.string(entry.value, "override arm")
            else { continue }
            if !arms.isEmpty, !armKeys.contains(arm) {
                let listed = armKeys.map { "`\($0)`" }.joined(separator: ", ")
                var message = "override arm must be one of \(listed), got \(entry.value.shownValue)"
                if let hint = Suggestion.nearest(to: arm, among: armKeys) {
                    message += "; did you mean `\(hint)`?"
                }
                reader.fail(at: entry.value.location, message)
                continue
            }
            overrides.append(ExperimentDefinition.Override(unit: unit, arm: arm))
        }
        return overrides
    }

    // MARK: Eligibility

    mutating func decodeEligibility(_ node: YAMLNode) -> [Condition] {
        guard case .mapping(let entries) = node.kind else {
            reader.fail(node, "eligibility", mustBe: "a mapping of attribute to condition")
            return []
        }
        var conditions: [Condition] = []
        for entry in entries {
            guard let attribute = reader.string(entry.key, "eligibility attribute") else {
                continue
            }
            conditions += decodeConditions(entry.value, attribute: attribute)
        }
        return conditions
    }

    /// Reads `attribute: scalar` (equality) or `attribute: { operator: operand, … }`,
    /// one condition per operator.
    mutating func decodeConditions(_ node: YAMLNode, attribute: String) -> [Condition] {
        let subject = "condition on `\(attribute)`"
        switch node.kind {
        case .scalar:
            guard let operand = operand(node, subject) else { return [] }
            return [Condition(attribute: attribute, test: .equal(operand))]
        case .sequence:
            reader.fail(
                node, subject,
                mustBe: "a value or a mapping of operators (for a list, write `{ in: [...] }`)")
            return []
        case .mapping(let entries):
            guard let fields = reader.fields(of: node, subject, allowed: Self.operators)
            else { return [] }
            if entries.isEmpty {
                reader.fail(node, subject, mustBe: "a mapping with at least one operator")
            }
            var conditions: [Condition] = []
            for entry in entries {
                guard let name = entry.key.scalarText, fields.entries[name] != nil,
                    let test = decodeTest(name, entry.value, subject: subject)
                else { continue }
                conditions.append(Condition(attribute: attribute, test: test))
            }
            return conditions
        }
    }

    mutating func decodeTest(
        _ name: String, _ node: YAMLNode, subject: String
    ) -> Condition.Test? {
        let what = "`\(name)` in \(subject)"
        switch name {
        case "eq": return operand(node, what).map { .equal($0) }
        case "ne": return operand(node, what).map { .notEqual($0) }
        case "in": return operands(node, what).map { .oneOf($0) }
        case "not_in": return operands(node, what).map { .noneOf($0) }
        case "lt": return reader.number(node, what, expectation: "a number").map { .less($0) }
        case "lte":
            return reader.number(node, what, expectation: "a number").map { .lessOrEqual($0) }
        case "gt": return reader.number(node, what, expectation: "a number").map { .greater($0) }
        case "gte":
            return reader.number(node, what, expectation: "a number").map { .greaterOrEqual($0) }
        default: return reader.bool(node, what).map { .exists($0) }
        }
    }

    /// A scalar operand kept as written (`0800` and `no` stay text).
    mutating func operand(_ node: YAMLNode, _ subject: String) -> ConditionValue? {
        guard let text = node.scalarText, !node.isNull, reader.isStringTag(node.tag) else {
            reader.fail(node, subject, mustBe: "a single value")
            return nil
        }
        return ConditionValue(text: text)
    }

    mutating func operands(_ node: YAMLNode, _ subject: String) -> [ConditionValue]? {
        guard case .sequence(let items) = node.kind, !items.isEmpty else {
            reader.fail(node, subject, mustBe: "a non-empty list of values")
            return nil
        }
        let values = items.map { operand($0, "a value of \(subject)") }
        guard values.allSatisfy({ $0 != nil }) else { return nil }
        return values.compactMap { $0 }
    }

    // MARK: Metrics, segments, analysis

    mutating func decodeMetrics(_ node: YAMLNode) -> [Metric] {
        guard let items = reader.list(node, "metrics") else { return [] }
        var metrics: [Metric] = []
        var firstKey: [String: SourceLocation] = [:]
        var firstPrimary: SourceLocation?

        for item in items {
            guard let fields = reader.fields(of: item, "a metric", allowed: Self.metricFields)
            else { continue }
            let keyNode = required(fields, "key", in: "a metric")
            let key = keyNode.flatMap { reader.key($0, "metric key") }
            if let key, let keyNode {
                if let first = firstKey[key] {
                    reader.fail(
                        keyNode, "metric key",
                        mustBe: "unique (\"\(key)\" is first at line \(first.line))")
                }
                firstKey[key] = firstKey[key] ?? keyNode.location
            }
            let type = required(fields, "type", in: "a metric")
                .flatMap { reader.choice($0, "metric type", as: Metric.Kind.self) }
            let event = required(fields, "event", in: "a metric")
                .flatMap { reader.string($0, "metric event") }
            let windowNode = required(fields, "window", in: "a metric")
            let window = windowNode.flatMap { windowNode -> TimeWindow? in
                guard let text = windowNode.scalarText, let window = TimeWindow(parsing: text)
                else {
                    reader.fail(
                        windowNode, "metric window",
                        mustBe: "a duration such as 30m, 36h, 90d or 2w")
                    return nil
                }
                return window
            }

            var aggregate: Metric.Aggregate? = .count
            if let aggregateNode = fields["aggregate"] {
                if let type, type != .mean {
                    reader.fail(
                        at: fields.keyLocation("aggregate"),
                        "`aggregate` must only be set on `mean` metrics, got it on a "
                            + "`\(type.rawValue)` metric")
                }
                aggregate = reader.choice(
                    aggregateNode, "metric aggregate", as: Metric.Aggregate.self)
            }
            let isPrimary = fields["primary"].map { reader.bool($0, "metric primary") } ?? false
            if isPrimary == true, let primaryNode = fields["primary"] {
                if let firstPrimary {
                    reader.fail(
                        at: primaryNode.location,
                        "experiment must have at most one primary metric, got a second "
                            + "(the first is at line \(firstPrimary.line))")
                } else {
                    firstPrimary = primaryNode.location
                }
            }
            let direction = fields["direction"].map {
                reader.choice($0, "metric direction", as: Metric.Direction.self)
            } ?? .increase
            let cuped = fields["cuped"].map { reader.bool($0, "metric cuped") } ?? false
            if cuped == true, type == .nps, let cupedNode = fields["cuped"] {
                reader.fail(
                    at: cupedNode.location,
                    "`cuped` must be false for `nps` metrics (only responders count, so "
                        + "there is no pre-exposure covariate), got true")
            }
            let description = fields["description"]
                .flatMap { reader.string($0, "metric description", allowEmpty: true) }

            guard let key, let type, let event, let window, let aggregate, let isPrimary,
                let direction, let cuped
            else { continue }
            metrics.append(
                Metric(key: key, type: type, event: event, aggregate: aggregate, window: window,
                    isPrimary: isPrimary, direction: direction, cuped: cuped,
                    description: description))
        }
        return metrics
    }

    mutating func decodeSegments(_ node: YAMLNode) -> [String] {
        guard let items = reader.list(node, "segments") else { return [] }
        var segments: [String] = []
        for item in items {
            guard let segment = reader.string(item, "segment attribute") else { continue }
            if segments.contains(segment) {
                reader.fail(item, "segment attribute", mustBe: "listed once")
                continue
            }
            segments.append(segment)
        }
        return segments
    }

    mutating func decodeAnalysis(_ node: YAMLNode) -> AnalysisSettings? {
        guard let fields = reader.fields(of: node, "analysis", allowed: Self.analysisFields)
        else { return nil }
        let defaults = AnalysisSettings()

        var alpha: Double? = defaults.alpha
        if let alphaNode = fields["alpha"] {
            let expectation = "a number strictly between 0 and 1"
            alpha = reader.number(alphaNode, "analysis alpha", expectation: expectation)
            if let value = alpha, value <= 0 || value >= 1 {
                reader.fail(alphaNode, "analysis alpha", mustBe: expectation)
                alpha = nil
            }
        }
        let correction = fields["correction"].map {
            reader.choice($0, "analysis correction", as: AnalysisSettings.Correction.self)
        } ?? defaults.correction
        let minimumUnits = fields["minimum_units"].map {
            reader.integer(
                $0, "analysis minimum_units", in: 0...Int.max,
                expectation: "a whole number of at least 0")
        } ?? defaults.minimumUnits

        guard let alpha, let correction, let minimumUnits else { return nil }
        return AnalysisSettings(alpha: alpha, correction: correction, minimumUnits: minimumUnits)
    }
}
