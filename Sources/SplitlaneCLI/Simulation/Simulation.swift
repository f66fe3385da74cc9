import Foundation
import SplitlaneDefinitions
import SplitlaneJSON

/// Runs the synthetic last-mile world through a splitlane service, as CRM jobs would:
/// deliveries get a survey channel, survey answers come back as events, detractors get
/// a recovery offer, and the following months' orders, churn and surveys are posted.
struct Simulation {
    var service: ServiceClient
    var channel: ExperimentDefinition
    var recovery: ExperimentDefinition
    var deliveries: Int
    var days: Int
    var end: Date
    var seed: UInt64
    var console: Console

    static let day: TimeInterval = 86_400
    static let assignBatch = 1_000
    static let eventBatch = 5_000

    struct Account {
        var id: String
        var vertical: String
        var lane: String
        var region: String
        /// Orders per 30 days before any recovery offer; mean 1.
        var activity: Double
    }

    struct Summary {
        var channelExposures: [String: Int] = [:]
        var responses = 0
        var detractors = 0
        var recoveryExposures: [String: Int] = [:]
        var eventsInserted = 0
        var eventsDuplicate = 0
    }

    private var random: RandomSource
    private var pendingEvents: [UInt8] = []
    private var pendingCount = 0
    private var serial = 0
    private(set) var summary = Summary()

    init(
        service: ServiceClient, channel: ExperimentDefinition, recovery: ExperimentDefinition,
        deliveries: Int, days: Int, end: Date, seed: UInt64, console: Console
    ) {
        self.service = service
        self.channel = channel
        self.recovery = recovery
        self.deliveries = deliveries
        self.days = days
        self.end = end
        self.seed = seed
        self.console = console
        random = RandomSource(seed: seed)
    }

    mutating func run() throws {
        let accounts = makeAccounts(count: max(deliveries / 5, 50))
        let detractors = try runChannelTest(accounts: accounts)
        try runRecoveryTest(detractors: detractors)
        try flushEvents()
        console.endProgress()
    }

    private mutating func makeAccounts(count: Int) -> [Account] {
        (0..<count).map { index in
            Account(
                id: String(format: "acct-%06d", index),
                vertical: random.pick(LastMileWorld.verticals),
                lane: random.pick(LastMileWorld.lanes),
                region: random.pick(LastMileWorld.regions),
                activity: random.gamma(shape: 2, scale: 0.5))
        }
    }

    // MARK: Survey channel

    /// Assigns every delivery a survey channel, posts opens and answers, and returns
    /// each account's first detractor answer (time and score).
    private mutating func runChannelTest(accounts: [Account]) throws -> [(Account, Date, Int)] {
        let windowEnd = end.addingTimeInterval(-7 * Self.day)
        var windowStart = end.addingTimeInterval(-Double(days) * Self.day)
        if let start = channel.start, start > windowStart { windowStart = start }
        let span = max(windowEnd.timeIntervalSince(windowStart), Self.day)

        var plan: [(id: String, account: Int, time: Date, failed: Bool)] = []
        for index in 0..<deliveries {
            let account = random.integer(in: 0..<accounts.count)
            let time = windowStart.addingTimeInterval((random.uniform() * span).rounded())
            let failed = random.bernoulli(LastMileWorld.failedFirstAttempt[accounts[account].lane] ?? 0.1)
            plan.append((String(format: "dlv-%07d", index), account, time, failed))
        }
        plan.sort { $0.time < $1.time }

        var firstDetractor: [Int: (Date, Int)] = [:]
        for start in stride(from: 0, to: plan.count, by: Self.assignBatch) {
            let slice = plan[start..<min(start + Self.assignBatch, plan.count)]
            let requests = slice.map { delivery in
                let account = accounts[delivery.account]
                return ServiceClient.UnitRequest(
                    unit: delivery.id,
                    attributes: [
                        ("vertical", .string(account.vertical)), ("lane", .string(account.lane)),
                        ("region", .string(account.region)),
                        ("failed_first_attempt", .bool(delivery.failed)),
                    ],
                    at: delivery.time)
            }
            let answers = try service.assign(experiment: channel.key, units: requests)

            for (delivery, answer) in zip(slice, answers) {
                guard let arm = answer.arm, answer.reason == "assigned" else { continue }
                summary.channelExposures[arm, default: 0] += 1
                guard random.bernoulli(LastMileWorld.openRate[arm] ?? 0.2) else { continue }
                let opened = delivery.time.addingTimeInterval(1_800 + random.uniform() * 2 * Self.day)
                try addEvent(unit: delivery.id, event: "survey_opened", value: nil, at: opened)
                guard random.bernoulli(LastMileWorld.responseGivenOpen[arm] ?? 0.5) else { continue }

                let account = accounts[delivery.account]
                let answered = opened.addingTimeInterval(random.uniform() * Self.day)
                let mean = (LastMileWorld.meanScore[account.vertical] ?? 7)
                    - (delivery.failed ? LastMileWorld.failurePenalty : 0)
                let score = Self.score(mean: mean, random: &random)
                try addEvent(unit: delivery.id, event: "survey_response", value: Double(score), at: answered)
                summary.responses += 1
                if score <= 6, firstDetractor[delivery.account] == nil {
                    firstDetractor[delivery.account] = (answered, score)
                }
            }
            console.progress("survey channel: \(min(start + Self.assignBatch, plan.count)) of \(plan.count) deliveries")
        }

        summary.detractors = firstDetractor.count
        return firstDetractor.sorted { $0.value.0 < $1.value.0 }.map { (accounts[$0.key], $0.value.0, $0.value.1) }
    }

    // MARK: Detractor recovery

    private mutating func runRecoveryTest(detractors: [(Account, Date, Int)]) throws {
        let candidates = detractors.compactMap { account, answered, score -> (Account, Date, Int)? in
            let offered = answered.addingTimeInterval(3_600 + random.uniform() * Self.day)
            return offered < end ? (account, offered, score) : nil
        }
        for start in stride(from: 0, to: candidates.count, by: Self.assignBatch) {
            let slice = Array(candidates[start..<min(start + Self.assignBatch, candidates.count)])
            let requests = slice.map { account, offered, score in
                ServiceClient.UnitRequest(
                    unit: account.id,
                    attributes: [
                        ("nps_score", .number(Double(score))), ("vertical", .string(account.vertical)),
                        ("lane", .string(account.lane)), ("region", .string(account.region)),
                    ],
                    at: offered)
            }
            let answers = try service.assign(experiment: recovery.key, units: requests)
            for ((account, offered, _), answer) in zip(slice, answers) {
                guard let arm = answer.arm, answer.reason == "assigned" else { continue }
                summary.recoveryExposures[arm, default: 0] += 1
                try simulateOutcomes(account: account, arm: arm, offered: offered)
            }
            let done = min(start + Self.assignBatch, candidates.count)
            console.progress("recovery: \(done) of \(candidates.count) detractors")
        }
    }

    /// Orders before and after the offer, churn and the next survey of one account.
    private mutating func simulateOutcomes(account: Account, arm: String, offered: Date) throws {
        let revenueMu = account.vertical == "b2b_office" ? 5.0 : (account.vertical == "grocery" ? 3.6 : 3.9)

        // History: the CUPED covariate of the order metrics.
        for _ in 0..<random.poisson(account.activity * 3) {
            let time = offered.addingTimeInterval(-random.uniform() * 90 * Self.day)
            try addEvent(unit: account.id, event: "order", value: order(revenueMu), at: time)
        }

        // Active accounts come back more often and order more: the history above then
        // predicts the outcome, which is what CUPED exploits. The factor averages 1 over
        // accounts, so the planted multipliers hold on average.
        let winBack = LastMileWorld.baseWinBack * (LastMileWorld.winBackMultiplier[arm] ?? 1)
            * (0.4 + 0.6 * account.activity)
        if random.bernoulli(winBack) {
            for _ in 0..<(1 + random.poisson(1.2 * account.activity)) {
                let time = offered.addingTimeInterval(random.uniform() * 90 * Self.day)
                try addEvent(unit: account.id, event: "order", value: order(revenueMu), at: time)
            }
        }
        if random.bernoulli(LastMileWorld.baseChurn * (LastMileWorld.churnMultiplier[arm] ?? 1)) {
            try addEvent(
                unit: account.id, event: "churn", value: nil,
                at: offered.addingTimeInterval(random.uniform() * 91 * Self.day))
        }
        if random.bernoulli(0.35) {
            let mean = (LastMileWorld.meanScore[account.vertical] ?? 7) - 0.8
            let score = Self.score(mean: mean, random: &random)
            try addEvent(
                unit: account.id, event: "survey_response", value: Double(score),
                at: offered.addingTimeInterval((3 + random.uniform() * 57) * Self.day))
        }
    }

    private mutating func order(_ mu: Double) -> Double {
        (random.logNormal(mu: mu, sigma: 0.5) * 100).rounded() / 100
    }

    private static func score(mean: Double, random: inout RandomSource) -> Int {
        Int(min(10, max(0, (mean + 2.1 * random.normal()).rounded())))
    }

    // MARK: Events

    /// Queues one event as an NDJSON line; events after the simulation's end have not
    /// happened yet and are dropped.
    private mutating func addEvent(unit: String, event: String, value: Double?, at time: Date) throws {
        guard time < end else { return }
        serial += 1
        let line = JSONValue.object([
            ("event_id", .string("sim\(seed)-\(serial)")),
            ("unit_id", .string(unit)),
            ("event", .string(event)),
            ("value", .number(value)),
            ("occurred_at", .string(Timestamp.format(time))),
        ])
        line.write(to: &pendingEvents)
        pendingEvents.append(UInt8(ascii: "\n"))
        pendingCount += 1
        if pendingCount >= Self.eventBatch { try flushEvents() }
    }

    private mutating func flushEvents() throws {
        guard pendingCount > 0 else { return }
        let counts = try service.postEvents(pendingEvents)
        summary.eventsInserted += counts.inserted
        summary.eventsDuplicate += counts.duplicates
        pendingEvents.removeAll(keepingCapacity: true)
        pendingCount = 0
    }
}
