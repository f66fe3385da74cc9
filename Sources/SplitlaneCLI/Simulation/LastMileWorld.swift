import Foundation

/// The synthetic last-mile world the simulator draws from, with its planted effects.
///
/// Every rate here is a stated truth the readouts should recover: the survey-channel
/// test's open and response rates per channel, and the recovery test's win-back and
/// churn per offer. NPS depends on the vertical and on failed first delivery
/// attempts, never on the channel or the offer, so no NPS winner is planted.
enum LastMileWorld {
    static let verticals: [(String, Double)] = [
        ("ecommerce", 0.55), ("grocery", 0.22), ("pharmacy", 0.15), ("b2b_office", 0.08),
    ]
    static let lanes: [(String, Double)] = [("urban", 0.5), ("suburban", 0.35), ("rural", 0.15)]
    static let regions: [(String, Double)] = [
        ("north", 0.22), ("south", 0.24), ("east", 0.18), ("west", 0.21), ("central", 0.15),
    ]

    /// Failed first delivery attempts by lane.
    static let failedFirstAttempt: [String: Double] = ["urban": 0.06, "suburban": 0.09, "rural": 0.17]

    /// Mean NPS score (0–10) by vertical before delivery failures: grocery lower,
    /// B2B office higher.
    static let meanScore: [String: Double] = [
        "ecommerce": 7.4, "grocery": 6.5, "pharmacy": 7.6, "b2b_office": 8.3,
    ]
    /// Score lost after a failed first attempt.
    static let failurePenalty = 2.6

    // MARK: Planted effects of the survey-channel test

    /// Probability a recipient opens the survey, by channel arm.
    static let openRate: [String: Double] = ["email": 0.24, "sms": 0.40, "shipper_portal": 0.14]
    /// Probability an opened survey is answered, by channel arm.
    static let responseGivenOpen: [String: Double] = ["email": 0.50, "sms": 0.45, "shipper_portal": 0.60]

    // MARK: Planted effects of the recovery test, within 90 days of the offer

    /// Win-back probability of an apology call; offers multiply it.
    static let baseWinBack = 0.30
    static let winBackMultiplier: [String: Double] = [
        "apology_call": 1.0, "credit": 1.4, "redelivery": 1.1, "am_checkin": 1.2,
    ]
    /// Churn probability within a quarter after an apology call; offers multiply it.
    static let baseChurn = 0.20
    static let churnMultiplier: [String: Double] = [
        "apology_call": 1.0, "credit": 0.7, "redelivery": 0.95, "am_checkin": 0.8,
    ]

    /// The planted effects in words, for `--help` and the simulator's output.
    static var plantedEffects: String {
        func percent(_ value: Double) -> String { String(format: "%.1f%%", value * 100) }
        var lines = ["Planted effects (the truths a readout should recover):", "  survey channel, per delivery:"]
        for arm in ["email", "sms", "shipper_portal"] {
            let opened = openRate[arm] ?? 0
            let responded = opened * (responseGivenOpen[arm] ?? 0)
            lines.append("    \(arm.padding(toLength: 15, withPad: " ", startingAt: 0))opened \(percent(opened)), "
                + "responded \(percent(responded))")
        }
        lines.append("    NPS does not depend on the channel: no NPS winner is planted.")
        lines.append("  detractor recovery, per account, relative to the apology call:")
        for arm in ["credit", "redelivery", "am_checkin"] {
            let winBack = (winBackMultiplier[arm] ?? 1) - 1
            let churn = (churnMultiplier[arm] ?? 1) - 1
            lines.append("    \(arm.padding(toLength: 15, withPad: " ", startingAt: 0))win-back, orders and revenue "
                + "\(String(format: "%+.0f%%", winBack * 100)); churn \(String(format: "%+.0f%%", churn * 100))")
        }
        lines.append("    Apology call: \(percent(baseWinBack)) win back and \(percent(baseChurn)) churn within")
        lines.append("    the full windows. A readout before a window ends sees fewer events in every arm")
        lines.append("    alike, so relative lifts keep their planted size. Next NPS does not depend on the offer.")
        return lines.joined(separator: "\n")
    }
}
