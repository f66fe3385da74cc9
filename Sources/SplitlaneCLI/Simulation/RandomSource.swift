import Foundation
import SplitlaneStatistics

/// The draws the simulator needs, over a seeded SplitMix64.
///
/// Deterministic across platforms and runs: the same seed gives the same world.
struct RandomSource {
    private var generator: SplitMix64

    init(seed: UInt64) {
        generator = SplitMix64(seed: seed)
    }

    mutating func next() -> UInt64 {
        generator.next()
    }

    /// Uniform in `[0, 1)`.
    mutating func uniform() -> Double {
        generator.nextUnit()
    }

    mutating func bernoulli(_ probability: Double) -> Bool {
        uniform() < probability
    }

    /// Uniform integer in `range`.
    mutating func integer(in range: Range<Int>) -> Int {
        range.lowerBound + Int(next() % UInt64(range.count))
    }

    /// Standard normal by Box–Muller.
    mutating func normal() -> Double {
        let u = max(uniform(), 1e-300)
        return (-2 * log(u)).squareRoot() * cos(2 * .pi * uniform())
    }

    mutating func logNormal(mu: Double, sigma: Double) -> Double {
        exp(mu + sigma * normal())
    }

    /// Poisson by Knuth's multiplication method; fine for the small means used here.
    mutating func poisson(_ mean: Double) -> Int {
        guard mean > 0 else { return 0 }
        let limit = exp(-mean)
        var product = uniform()
        var count = 0
        while product > limit {
            product *= uniform()
            count += 1
        }
        return count
    }

    /// Gamma(shape, scale) by Marsaglia and Tsang, for shape >= 1.
    mutating func gamma(shape: Double, scale: Double) -> Double {
        let d = shape - 1.0 / 3.0
        let c = 1 / (9 * d).squareRoot()
        while true {
            let x = normal()
            let v = pow(1 + c * x, 3)
            guard v > 0 else { continue }
            if log(uniform()) < 0.5 * x * x + d - d * v + d * log(v) { return d * v * scale }
        }
    }

    /// Picks an element with the given weights.
    mutating func pick<T>(_ choices: [(T, Double)]) -> T {
        let total = choices.reduce(0) { $0 + $1.1 }
        var point = uniform() * total
        for (value, weight) in choices {
            point -= weight
            if point < 0 { return value }
        }
        return choices[choices.count - 1].0
    }
}
