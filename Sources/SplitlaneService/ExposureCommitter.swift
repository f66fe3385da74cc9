import Dispatch
import Foundation
import HTTPServer
import Postgres
import SplitlaneStorage
import Synchronization

/// Group commit for exposures: requests queue their rows, and a writer thread with its
/// own connection takes everything queued and writes it in one statement, then hands
/// the answers to other threads and starts the next commit at once; requests that
/// arrive during a commit queue for the next one.
///
/// While the database is unreachable the committer refuses new work at once (fail
/// fast) and reconnects by itself with exponential backoff.
final class ExposureCommitter: Sendable {
    /// What a request learns once its rows were committed, or why they were not.
    typealias Completion = @Sendable (Result<[ExposureOutcome], ServiceError>) -> Void

    private struct Pending {
        var records: [ExposureRecord]
        var completion: Completion
    }

    private struct State {
        var queue: [Pending] = []
        var isAvailable = false
        var isStopping = false
        var isOutageReported = false
    }

    private let url: String
    private let logger: LogfmtLogger
    private let metrics: ServiceMetrics
    private let state = Mutex(State())
    private let wake = DispatchSemaphore(value: 0)
    private let finished = DispatchSemaphore(value: 0)
    private let answers = DispatchQueue(
        label: "splitlane.exposure-answers", attributes: .concurrent)

    /// How many writer threads (and connections) commit at once. Two overlapping
    /// writers measured no faster than one on 2 cores (the CPU, not the flush, limits),
    /// and one keeps batches from racing each other for the same unit.
    static let writerCount = 1

    /// The first and the longest pause between reconnection attempts.
    static let backoff: (first: Duration, longest: Duration) = (.milliseconds(100), .seconds(5))

    init(url: String, logger: LogfmtLogger, metrics: ServiceMetrics) {
        self.url = url
        self.logger = logger
        self.metrics = metrics
    }

    /// Whether rows are accepted now: the last connect or commit succeeded.
    var isAvailable: Bool {
        state.withLock { $0.isAvailable }
    }

    /// Connects the first writer synchronously, so a healthy database is usable from
    /// the first request, then starts the writer threads.
    func start() {
        for index in 0..<Self.writerCount {
            let first = index == 0 ? connect() : nil
            let thread = Thread { [self] in
                run(connection: first)
                finished.signal()
            }
            thread.name = "splitlane-exposure-writer-\(index)"
            thread.start()
        }
    }

    /// Queues rows for the next commit; false, without queuing, when the database is
    /// unavailable or the committer is stopping.
    func submit(_ records: [ExposureRecord], completion: @escaping Completion) -> Bool {
        let accepted = state.withLock { state -> Bool in
            guard state.isAvailable, !state.isStopping else {
                return false
            }
            state.queue.append(Pending(records: records, completion: completion))
            return true
        }
        if accepted {
            wake.signal()
        }
        return accepted
    }

    /// Commits what is queued, then ends the writer threads and waits for them and
    /// for the answers they handed off.
    func stop() {
        state.withLock { $0.isStopping = true }
        for _ in 0..<Self.writerCount {
            wake.signal()
        }
        for _ in 0..<Self.writerCount {
            finished.wait()
        }
        answers.sync(flags: .barrier) {}
    }

    // MARK: The committing thread

    private func run(connection first: Connection?) {
        var connection = first
        var pause = Self.backoff.first

        while true {
            if connection == nil, !state.withLock({ $0.isStopping }) {
                connection = connect()
                pause = connection == nil ? min(pause * 2, Self.backoff.longest) : Self.backoff.first
            }

            if connection == nil {
                _ = wake.wait(timeout: .now() + .nanoseconds(Self.nanoseconds(pause)))
            } else {
                wake.wait()
            }

            let (work, stopping) = state.withLock { state in
                defer { state.queue.removeAll() }
                return (state.queue, state.isStopping)
            }
            if !work.isEmpty {
                connection = commit(work, on: connection)
            }
            if stopping, state.withLock({ $0.queue.isEmpty }) {
                connection?.close()
                wake.signal()
                return
            }
        }
    }

    /// Writes every queued row in one transaction and answers each request; returns
    /// the connection to keep using, nil when it broke.
    ///
    /// When PostgreSQL refuses the statement while the connection stays healthy, one
    /// request's rows may be the cause, so each request is then committed on its own:
    /// the request at fault gets the error and the others are recorded.
    private func commit(_ work: [Pending], on connection: Connection?) -> Connection? {
        guard let connection else {
            let refusal = ServiceError.databaseUnavailable("the database is unreachable")
            answer(work, with: .failure(refusal))
            return nil
        }
        let records = work.flatMap(\.records)
        metrics.commitBatchSize.observe(Double(records.count))

        switch write(records, on: connection) {
        case .success(let outcomes):
            deliver(outcomes, to: work)
            return connection
        case .failure(let failure) where !connection.isHealthy:
            return drop(connection, answering: work, with: failure)
        case .failure(let failure) where work.count == 1:
            answer(work, with: .failure(failure))
            return connection
        case .failure:
            logger.log(.warning, "committing the failed batch's requests one at a time", ["requests": work.count])
            for (index, pending) in work.enumerated() {
                switch write(pending.records, on: connection) {
                case .success(let outcomes):
                    deliver(outcomes, to: [pending])
                case .failure(let failure) where !connection.isHealthy:
                    return drop(connection, answering: Array(work[index...]), with: failure)
                case .failure(let failure):
                    answer([pending], with: .failure(failure))
                }
            }
            return connection
        }
    }

    /// Records rows in one statement; a failure is counted, logged and turned into the
    /// error the requests get.
    private func write(
        _ records: [ExposureRecord], on connection: Connection
    ) -> Result<[ExposureOutcome], ServiceError> {
        do {
            let summary = try SplitlaneStore(connection: connection).recordExposures(records)
            metrics.exposuresRecorded.increment(by: Double(summary.inserted))
            metrics.exposureConflicts.increment(by: Double(summary.conflicts.count))
            return .success(summary.outcomes)
        } catch {
            metrics.databaseErrors.increment(labels: ["commit"])
            logger.log(
                .error, "exposure commit failed",
                ["rows": records.count, "error": Self.describe(error)])
            guard connection.isHealthy else {
                return .failure(
                    .databaseUnavailable("the database connection was lost; nothing was acknowledged"))
            }
            return .failure(
                ServiceError(
                    status: 500, code: "database_error",
                    message: "the exposures could not be recorded; nothing was stored"))
        }
    }

    /// Answers the requests of a lost connection, closes it and marks the database
    /// unavailable until a reconnection succeeds; returns nil, the connection to keep.
    private func drop(
        _ connection: Connection, answering work: [Pending], with failure: ServiceError
    ) -> Connection? {
        markAvailable(false)
        connection.close()
        answer(work, with: .failure(failure))
        return nil
    }

    /// Hands each request its share of a batch's outcomes, in order, off the writer thread.
    private func deliver(_ outcomes: [ExposureOutcome], to work: [Pending]) {
        answers.async {
            var offset = 0
            for pending in work {
                let end = offset + pending.records.count
                pending.completion(.success(Array(outcomes[offset..<end])))
                offset = end
            }
        }
    }

    /// Hands one result to every request of a batch, off the writer thread.
    private func answer(
        _ work: [Pending], with result: Result<[ExposureOutcome], ServiceError>
    ) {
        answers.async {
            work.forEach { $0.completion(result) }
        }
    }

    private func connect() -> Connection? {
        do {
            let connection = try Connection(url)
            markAvailable(true)
            return connection
        } catch {
            metrics.databaseErrors.increment(labels: ["connect"])
            markAvailable(false)
            let isFirstFailure = state.withLock { state in
                defer { state.isOutageReported = true }
                return !state.isOutageReported
            }
            if isFirstFailure {
                logger.log(.warning, "database unreachable; retrying", ["error": error.message])
            }
            return nil
        }
    }

    private func markAvailable(_ available: Bool) {
        let changed = state.withLock { state -> Bool in
            defer { state.isAvailable = available }
            return state.isAvailable != available
        }
        metrics.databaseUp.set(available ? 1 : 0)
        if available {
            state.withLock { $0.isOutageReported = false }
        }
        if changed, available {
            logger.log(.info, "database connected")
        }
    }

    /// An error's text for a log line, without the connection string.
    static func describe(_ error: any Error) -> String {
        if let storage = error as? StorageError {
            return storage.message
        }
        if let postgres = error as? PostgresError {
            return postgres.message
        }
        return "\(error)"
    }

    private static func nanoseconds(_ duration: Duration) -> Int {
        let (seconds, attoseconds) = duration.components
        return Int(seconds) * 1_000_000_000 + Int(attoseconds / 1_000_000_000)
    }
}
