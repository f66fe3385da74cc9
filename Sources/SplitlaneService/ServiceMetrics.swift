import HTTPServer

/// The Prometheus metrics the service keeps, created once in one registry.
struct ServiceMetrics: Sendable {
    let registry: MetricsRegistry
    let requests: Counter
    let latency: Histogram
    let exposuresRecorded: Counter
    let exposureConflicts: Counter
    let commitBatchSize: Histogram
    let databaseErrors: Counter
    let databaseUp: Gauge
    let reloads: Counter

    init(registry: MetricsRegistry = MetricsRegistry()) {
        self.registry = registry
        requests = registry.makeCounter(
            name: "splitlane_http_requests_total",
            help: "HTTP requests answered, by route and status.",
            labelNames: ["route", "status"])
        latency = registry.makeHistogram(
            name: "splitlane_http_request_duration_seconds",
            help: "Time from a request's arrival to its answer, by route.",
            buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10],
            labelNames: ["route"])
        exposuresRecorded = registry.makeCounter(
            name: "splitlane_exposures_recorded_total",
            help: "Exposure rows newly committed to splitlane.exposures.")
        exposureConflicts = registry.makeCounter(
            name: "splitlane_exposure_conflicts_total",
            help: "Exposures whose unit was already recorded with another arm.")
        commitBatchSize = registry.makeHistogram(
            name: "splitlane_exposure_commit_batch_size",
            help: "Exposure rows written per group-commit transaction.",
            buckets: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 5000, 10000, 50000])
        databaseErrors = registry.makeCounter(
            name: "splitlane_database_errors_total",
            help: "Failed database operations (connects, commits, queries), by operation.",
            labelNames: ["operation"])
        databaseUp = registry.makeGauge(
            name: "splitlane_database_up",
            help: "1 while the exposure committer holds a working database connection.")
        reloads = registry.makeCounter(
            name: "splitlane_definition_reloads_total",
            help: "Definition reloads on SIGHUP, by result (applied or refused).",
            labelNames: ["result"])
    }
}
