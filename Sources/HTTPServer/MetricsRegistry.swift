import Synchronization

/// A set of Prometheus metrics rendered together in the text exposition format 0.0.4.
public final class MetricsRegistry: Sendable {
    private let families = Mutex<[any MetricFamily]>([])

    /// Creates an empty registry.
    public init() {}

    /// Returns the counter named `name`, creating it on first use.
    ///
    /// - Parameters:
    ///   - name: The metric name; Prometheus convention ends counters in `_total`.
    ///   - help: One line describing the metric.
    ///   - labelNames: The label names whose values each update passes in this order.
    public func makeCounter(name: String, help: String, labelNames: [String] = []) -> Counter {
        register(name) { Counter(name: name, help: help, labelNames: labelNames) }
    }

    /// Returns the gauge named `name`, creating it on first use.
    public func makeGauge(name: String, help: String, labelNames: [String] = []) -> Gauge {
        register(name) { Gauge(name: name, help: help, labelNames: labelNames) }
    }

    /// Returns the histogram named `name` with fixed bucket upper bounds, creating it on
    /// first use; a `+Inf` bucket is always added.
    public func makeHistogram(
        name: String,
        help: String,
        buckets: [Double] = Histogram.defaultBuckets,
        labelNames: [String] = []
    ) -> Histogram {
        register(name) {
            Histogram(name: name, help: help, buckets: buckets, labelNames: labelNames)
        }
    }

    /// Renders every metric with its `# HELP` and `# TYPE` lines, in registration order.
    public func render() -> String {
        let snapshot = families.withLock { $0 }
        var text = ""
        for family in snapshot {
            text += "# HELP \(family.name) \(escapeHelp(family.help))\n"
            text += "# TYPE \(family.name) \(family.typeName)\n"
            family.renderSamples(into: &text)
        }
        return text
    }

    /// Returns the family named `name` if it has type `T`, or registers a new one.
    ///
    /// A name registered earlier with another type gets a second family of the new type;
    /// the exposition then repeats the name, which is the caller's mistake to avoid.
    private func register<T: MetricFamily>(_ name: String, make: () -> T) -> T {
        families.withLock { families in
            if let existing = families.first(where: { $0.name == name }) as? T {
                return existing
            }
            let family = make()
            families.append(family)
            return family
        }
    }
}

/// What the registry needs from each kind of metric.
protocol MetricFamily: Sendable {
    var name: String { get }
    var help: String { get }
    var typeName: String { get }
    func renderSamples(into text: inout String)
}

/// One number per label set, shared by counters and gauges.
final class LabeledValues: Sendable {
    let name: String
    let labelNames: [String]
    private let values = Mutex<[[String]: Double]>([:])

    init(name: String, labelNames: [String]) {
        self.name = name
        self.labelNames = labelNames
    }

    func update(_ labels: [String], _ change: (inout Double) -> Void) {
        let key = fitted(labels, to: labelNames)
        values.withLock { change(&$0[key, default: 0]) }
    }

    func value(_ labels: [String]) -> Double {
        let key = fitted(labels, to: labelNames)
        return values.withLock { $0[key] ?? 0 }
    }

    func renderSamples(into text: inout String) {
        let snapshot = values.withLock { $0 }
        for key in snapshot.keys.sorted(by: labelOrder) {
            text +=
                name + labelText(labelNames, key) + " " + formatNumber(snapshot[key] ?? 0) + "\n"
        }
    }
}

/// A monotonically increasing value per label set.
public final class Counter: MetricFamily {
    let help: String
    private let series: LabeledValues

    var name: String { series.name }
    var typeName: String { "counter" }

    init(name: String, help: String, labelNames: [String]) {
        self.help = help
        series = LabeledValues(name: name, labelNames: labelNames)
    }

    /// Adds `amount` (ignored unless positive) to the series with these label values.
    public func increment(by amount: Double = 1, labels: [String] = []) {
        guard amount > 0 else {
            return
        }
        series.update(labels) { $0 += amount }
    }

    /// The current value of the series with these label values (0 when never touched).
    public func value(labels: [String] = []) -> Double {
        series.value(labels)
    }

    func renderSamples(into text: inout String) {
        series.renderSamples(into: &text)
    }
}

/// A value per label set that may go up and down.
public final class Gauge: MetricFamily {
    let help: String
    private let series: LabeledValues

    var name: String { series.name }
    var typeName: String { "gauge" }

    init(name: String, help: String, labelNames: [String]) {
        self.help = help
        series = LabeledValues(name: name, labelNames: labelNames)
    }

    /// Sets the series with these label values to `value`.
    public func set(_ value: Double, labels: [String] = []) {
        series.update(labels) { $0 = value }
    }

    /// Adds `amount`, which may be negative, to the series with these label values.
    public func add(_ amount: Double, labels: [String] = []) {
        series.update(labels) { $0 += amount }
    }

    /// The current value of the series with these label values (0 when never set).
    public func value(labels: [String] = []) -> Double {
        series.value(labels)
    }

    func renderSamples(into text: inout String) {
        series.renderSamples(into: &text)
    }
}

/// Observations counted into fixed cumulative buckets, with their sum and count.
public final class Histogram: MetricFamily {
    /// Upper bounds suited to request latencies in seconds, from 5 ms to 10 s.
    public static let defaultBuckets: [Double] = [
        0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
    ]

    /// Per-series state: a count per finite bucket (not cumulative), the sum and the count.
    struct Series {
        var bucketCounts: [UInt64]
        var sum = 0.0
        var count: UInt64 = 0
    }

    let name: String
    let help: String
    let labelNames: [String]

    /// The finite upper bounds, sorted and without duplicates.
    public let buckets: [Double]
    private let series = Mutex<[[String]: Series]>([:])

    var typeName: String { "histogram" }

    init(name: String, help: String, buckets: [Double], labelNames: [String]) {
        self.name = name
        self.help = help
        self.labelNames = labelNames
        self.buckets = Array(Set(buckets.filter { $0.isFinite })).sorted()
    }

    /// Records one observation in the series with these label values.
    public func observe(_ value: Double, labels: [String] = []) {
        let key = fitted(labels, to: labelNames)
        let index = buckets.firstIndex { value <= $0 }
        let bucketCount = buckets.count
        series.withLock { all in
            var entry = all[key] ?? Series(bucketCounts: Array(repeating: 0, count: bucketCount))
            if let index {
                entry.bucketCounts[index] += 1
            }
            entry.sum += value
            entry.count += 1
            all[key] = entry
        }
    }

    /// The number of observations in the series with these label values.
    public func count(labels: [String] = []) -> UInt64 {
        let key = fitted(labels, to: labelNames)
        return series.withLock { $0[key]?.count ?? 0 }
    }

    func renderSamples(into text: inout String) {
        let snapshot = series.withLock { $0 }
        let bucketNames = labelNames + ["le"]
        for key in snapshot.keys.sorted(by: labelOrder) {
            guard let entry = snapshot[key] else {
                continue
            }
            var cumulative: UInt64 = 0
            for (bound, count) in zip(buckets, entry.bucketCounts) {
                cumulative += count
                let labels = labelText(bucketNames, key + [formatNumber(bound)])
                text += "\(name)_bucket\(labels) \(cumulative)\n"
            }
            text += "\(name)_bucket\(labelText(bucketNames, key + ["+Inf"])) \(entry.count)\n"
            text += "\(name)_sum\(labelText(labelNames, key)) \(formatNumber(entry.sum))\n"
            text += "\(name)_count\(labelText(labelNames, key)) \(entry.count)\n"
        }
    }
}

// MARK: Formatting helpers

/// Label values padded with empty strings or cut to the declared number of names.
private func fitted(_ values: [String], to names: [String]) -> [String] {
    if values.count == names.count {
        return values
    }
    let cut = Array(values.prefix(names.count))
    return cut + Array(repeating: "", count: names.count - cut.count)
}

/// Orders series by their label values, element by element.
private func labelOrder(_ left: [String], _ right: [String]) -> Bool {
    left.lexicographicallyPrecedes(right)
}

/// `{a="1",b="2"}`, or nothing when there are no labels.
private func labelText(_ names: [String], _ values: [String]) -> String {
    guard !names.isEmpty else {
        return ""
    }
    let pairs = zip(names, values).map { "\($0)=\"\(escapeLabelValue($1))\"" }
    return "{" + pairs.joined(separator: ",") + "}"
}

/// Escapes `\`, `"` and newlines as the exposition format requires in label values.
private func escapeLabelValue(_ value: String) -> String {
    value.replacingAll("\\", with: "\\\\").replacingAll("\"", with: "\\\"")
        .replacingAll("\n", with: "\\n")
}

/// Escapes `\` and newlines as the exposition format requires in help text.
private func escapeHelp(_ help: String) -> String {
    help.replacingAll("\\", with: "\\\\").replacingAll("\n", with: "\\n")
}

/// A sample value: integers without a fraction, `+Inf`, `-Inf` and `NaN` spelled out.
func formatNumber(_ value: Double) -> String {
    if value.isNaN {
        return "NaN"
    }
    if value.isInfinite {
        return value > 0 ? "+Inf" : "-Inf"
    }
    if value == value.rounded(), abs(value) < 1e15 {
        return String(Int64(value))
    }
    return String(value)
}

extension String {
    /// The string with every occurrence of `target` replaced, without Foundation.
    fileprivate func replacingAll(_ target: Character, with replacement: String) -> String {
        var result = ""
        for character in self {
            if character == target {
                result += replacement
            } else {
                result.append(character)
            }
        }
        return result
    }
}
