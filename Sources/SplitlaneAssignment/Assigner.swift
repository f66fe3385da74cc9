public import Foundation
public import SplitlaneDefinitions

/// Why a unit got, or did not get, an arm. The raw values are the reasons the CLI,
/// the HTTP API and the database show.
public enum AssignmentReason: String, Sendable, Hashable, CaseIterable {
    /// The unit is listed in the experiment's `overrides`.
    case override
    /// The experiment is not running, or the time is outside `[start, end)`.
    case inactive
    /// An eligibility condition failed.
    case notEligible = "not_eligible"
    /// The unit's layer bucket is outside the experiment's layer range.
    case notInLayer = "not_in_layer"
    /// The unit's coverage bucket is at or above the coverage threshold.
    case notInCoverage = "not_in_coverage"
    /// The unit was bucketed into an arm.
    case assigned
}

/// The outcome of assigning one unit.
public struct Assignment: Sendable, Hashable {
    /// The arm key, or `nil` when the unit gets no arm.
    public var arm: String?
    public var reason: AssignmentReason

    public init(arm: String?, reason: AssignmentReason) {
        self.arm = arm
        self.reason = reason
    }

    /// Whether the unit is in the experiment and should be analysed: forced QA
    /// units are in an arm but never analysed.
    public var isAnalysed: Bool { reason == .assigned }
}

/// Assigns units of one experiment to arms, exactly as the assignment algorithm in
/// `docs/assignment.md` describes.
///
/// Build one per experiment and reuse it: the hashing state for each prefix and
/// the bucket-to-arm table are prepared once. The type is immutable and `Sendable`,
/// so one assigner can serve every thread.
public struct Assigner: Sendable {
    public let experiment: ExperimentDefinition

    private let overrides: [String: String]
    private let armKeys: [String]
    private let eligibility: [Condition]
    private let isRunning: Bool
    private let start: Date?
    private let end: Date?
    private let armHasher: PrefixHasher
    private let coverageHasher: PrefixHasher
    private let layerHasher: PrefixHasher?
    /// `round(coverage × 10000)`, rounding halves away from zero.
    private let coverageThreshold: Int
    /// The index of the arm that owns each bucket.
    private let armByBucket: [UInt16]

    public init(_ experiment: ExperimentDefinition) {
        self.experiment = experiment

        var overrides: [String: String] = [:]
        for override in experiment.overrides where overrides[override.unit] == nil {
            overrides[override.unit] = override.arm
        }
        self.overrides = overrides
        armKeys = experiment.arms.map(\.key)
        eligibility = experiment.eligibility
        isRunning = experiment.status == .running
        start = experiment.start
        end = experiment.end

        armHasher = PrefixHasher(prefix: experiment.salt + ":")
        coverageHasher = PrefixHasher(prefix: experiment.salt + ":coverage:")
        layerHasher = experiment.layer.map { PrefixHasher(prefix: "layer:" + $0.name + ":") }
        coverageThreshold = Int((experiment.coverage * Double(Bucket.count)).rounded())
        armByBucket = Assigner.makeArmTable(weights: experiment.arms.map(\.weight))
    }

    /// The upper bucket bound of each arm: `B(i) = 10000 × (w1 + … + wi) ÷ (w1 + … + wn)`
    /// in integer division. Arm `i` owns `[B(i-1), B(i))`, with `B(0) = 0`.
    public static func bucketBounds(weights: [Int]) -> [Int] {
        let total = weights.reduce(0, +)
        guard total > 0 else { return weights.map { _ in 0 } }
        var running = 0
        return weights.map { weight in
            running += weight
            return Bucket.count * running / total
        }
    }

    private static func makeArmTable(weights: [Int]) -> [UInt16] {
        var table = [UInt16](repeating: 0, count: Bucket.count)
        var lower = 0
        for (index, upper) in bucketBounds(weights: weights).enumerated() where upper > lower {
            for bucket in lower..<upper {
                table[bucket] = UInt16(index)
            }
            lower = upper
        }
        return table
    }

    /// The names of the attributes eligibility reads; callers that build attribute
    /// dictionaries per unit need only these.
    public var eligibilityAttributes: Set<String> {
        Set(experiment.eligibility.map(\.attribute))
    }

    /// Whether the experiment assigns new units at `time`: it is running and `time`
    /// is inside `[start, end)`.
    public func isActive(at time: Date) -> Bool {
        guard isRunning else { return false }
        if let start, time < start { return false }
        if let end, time >= end { return false }
        return true
    }

    /// Assigns one unit.
    ///
    /// - Parameters:
    ///   - unit: The unit id, hashed as its UTF-8 bytes.
    ///   - attributes: Attributes sent with the unit, read by eligibility.
    ///   - time: The moment of the request, checked against `[start, end)`.
    public func assign(
        unit: String,
        attributes: [String: AttributeValue] = [:],
        at time: Date = Date()
    ) -> Assignment {
        if !overrides.isEmpty, let arm = overrides[unit] {
            return Assignment(arm: arm, reason: .override)
        }
        var utf8 = unit
        return utf8.withUTF8 { assignWithoutOverrides(unitUTF8: $0, attributes: attributes, at: time) }
    }

    /// Assigns one unit whose id is given as UTF-8 bytes, for batch paths that read
    /// ids straight from a buffer.
    public func assign(
        unitUTF8 unit: UnsafeBufferPointer<UInt8>,
        attributes: [String: AttributeValue] = [:],
        at time: Date = Date()
    ) -> Assignment {
        if !overrides.isEmpty, let arm = overrides[String(decoding: unit, as: UTF8.self)] {
            return Assignment(arm: arm, reason: .override)
        }
        return assignWithoutOverrides(unitUTF8: unit, attributes: attributes, at: time)
    }

    /// Steps 2 to 6 of the algorithm: everything after the override check.
    private func assignWithoutOverrides(
        unitUTF8 unit: UnsafeBufferPointer<UInt8>,
        attributes: [String: AttributeValue],
        at time: Date
    ) -> Assignment {
        guard isActive(at: time) else {
            return Assignment(arm: nil, reason: .inactive)
        }
        for condition in eligibility where !condition.isSatisfied(by: attributes) {
            return Assignment(arm: nil, reason: .notEligible)
        }
        if let layerHasher, let layer = experiment.layer,
            !layer.buckets.contains(layerHasher.bucket(utf8: unit))
        {
            return Assignment(arm: nil, reason: .notInLayer)
        }
        if coverageThreshold < Bucket.count, coverageHasher.bucket(utf8: unit) >= coverageThreshold {
            return Assignment(arm: nil, reason: .notInCoverage)
        }
        let index = armByBucket.withUnsafeBufferPointer { $0[armHasher.bucket(utf8: unit)] }
        return Assignment(arm: armKeys[Int(index)], reason: .assigned)
    }
}
