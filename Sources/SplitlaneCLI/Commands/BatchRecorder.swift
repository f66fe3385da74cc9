import Foundation
import SplitlaneAssignment
import SplitlaneDefinitions
import SplitlaneStorage

/// Records a batch's exposures in chunks, each one multi-row insert committed on its
/// own, and keeps the counts for the closing summary.
final class BatchRecorder {
    static let chunkSize = 10_000

    private let store: SplitlaneStore
    private let experiment: String
    private let time: Date
    private let context: CommandContext
    private var pending: [ExposureRecord] = []
    private var inserted = 0
    private var repeats = 0
    private var conflicts: [ExposureConflict] = []

    init(store: SplitlaneStore, experiment: String, time: Date, context: CommandContext) {
        self.store = store
        self.experiment = experiment
        self.time = time
        self.context = context
        pending.reserveCapacity(Self.chunkSize)
    }

    /// Queues one assigned unit; units without an arm are not exposures.
    func add(unit: String, assignment: Assignment, attributes: [String: AttributeValue]) throws {
        guard let arm = assignment.arm else { return }
        pending.append(
            ExposureRecord(
                experiment: experiment, unit: unit, arm: arm, exposedAt: time, attributes: attributes,
                source: "cli-batch"))
        if pending.count >= Self.chunkSize { try flush() }
    }

    /// Records what is still queued.
    func finish() throws {
        try flush()
    }

    private func flush() throws {
        guard !pending.isEmpty else { return }
        let summary = try context.storageCall { try store.recordExposures(pending) }
        inserted += summary.inserted
        repeats += summary.repeats
        conflicts += summary.conflicts
        pending.removeAll(keepingCapacity: true)
    }

    /// One line for standard error, listing the first conflicts.
    var summary: String {
        var text = "recorded \(inserted) exposures of \(experiment) (\(repeats) repeats, \(conflicts.count) conflicts)"
        for conflict in conflicts.prefix(10) {
            text += "\n  conflict: \(conflict.unit) is recorded in \(conflict.recordedArm), "
                + "not \(conflict.requestedArm); kept \(conflict.recordedArm)"
        }
        if conflicts.count > 10 { text += "\n  … and \(conflicts.count - 10) more conflicts" }
        return text
    }
}
