/// A family-wise or false-discovery-rate correction for many p-values.
public enum Correction: String, Sendable, Hashable, Codable, CaseIterable {
    /// No adjustment.
    case none
    /// Holm's step-down method; controls the family-wise error rate.
    case holm
    /// Bonferroni: each p-value times the number of tests.
    case bonferroni
    /// Benjamini–Hochberg step-up method; controls the false discovery rate.
    case benjaminiHochberg = "bh"

    /// Adjusts p-values for this correction, in input order; nil entries (tests that
    /// could not be computed) stay nil and are not counted in the family size m.
    ///
    /// With the m available p-values sorted ascending, p₍₁₎ ≤ … ≤ p₍ₘ₎:
    /// - Bonferroni: min(1, m·pᵢ).
    /// - Holm: p̃₍ᵢ₎ = min(1, maxⱼ≤ᵢ (m − j + 1)·p₍ⱼ₎), a running maximum.
    /// - Benjamini–Hochberg: p̃₍ᵢ₎ = min(1, minⱼ≥ᵢ m·p₍ⱼ₎/j), a running minimum from the
    ///   top. Valid for independent or positively dependent tests.
    /// These match statsmodels `multipletests` with `bonferroni`, `holm` and `fdr_bh`.
    public func adjust(_ pValues: [Double?]) -> [Double?] {
        let present = pValues.indices.compactMap { index in
            pValues[index].map { (index: index, value: $0) }
        }
        let adjusted = adjust(present.map(\.value))
        var result = [Double?](repeating: nil, count: pValues.count)
        for (position, entry) in present.enumerated() {
            result[entry.index] = adjusted[position]
        }
        return result
    }

    /// Adjusts a list of p-values in input order; see `adjust(_:)` for nil-able input.
    public func adjust(_ pValues: [Double]) -> [Double] {
        let count = pValues.count
        guard count > 0 else { return [] }
        let m = Double(count)
        let order = pValues.indices.sorted { pValues[$0] < pValues[$1] }
        var result = pValues

        switch self {
        case .none:
            return pValues
        case .bonferroni:
            return pValues.map { min(1, $0 * m) }
        case .holm:
            var running = 0.0
            for (rank, index) in order.enumerated() {
                running = max(running, (m - Double(rank)) * pValues[index])
                result[index] = min(1, running)
            }
        case .benjaminiHochberg:
            var running = 1.0
            for (rank, index) in order.enumerated().reversed() {
                running = min(running, m * pValues[index] / Double(rank + 1))
                result[index] = min(1, running)
            }
        }
        return result
    }
}
