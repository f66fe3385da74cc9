/// Every route the service answers, with its method and path template; the table that
/// `docs/openapi.yaml` describes.
public enum ServiceRoute: String, Sendable, CaseIterable {
    case assign = "POST /v1/assign"
    case assignBatch = "POST /v1/assign/batch"
    case ingestEvents = "POST /v1/events"
    case listExperiments = "GET /v1/experiments"
    case showExperiment = "GET /v1/experiments/{key}"
    case readout = "GET /v1/experiments/{key}/readout"
    case health = "GET /healthz"
    case readiness = "GET /readyz"
    case metrics = "GET /metrics"

    /// The HTTP method, such as `POST`.
    public var method: String {
        String(rawValue.prefix { $0 != " " })
    }

    /// The path template, such as `/v1/experiments/{key}`.
    public var template: String {
        Self.templates[self] ?? ""
    }

    private static let templates: [ServiceRoute: String] = Dictionary(
        uniqueKeysWithValues: allCases.map { route in
            (route, String(route.rawValue.drop { $0 != " " }.dropFirst()))
        })

    /// Whether the route needs a bearer token: every `/v1` route does.
    public var requiresToken: Bool {
        template.hasPrefix("/v1/")
    }

    /// The outcome of matching a request's method and path against the table.
    enum Match: Equatable {
        /// A route matched; `key` is the `{key}` path segment when the template has one.
        case found(ServiceRoute, key: String?)
        /// The path exists but not with this method; `allowed` lists the methods it has.
        case wrongMethod(allowed: [String])
        /// No route has this path.
        case notFound
    }

    /// One route with its method, template and template segments computed once.
    private struct Entry: Sendable {
        let route: ServiceRoute
        let method: String
        let template: String
        /// The template split at `/` when it holds `{key}`; nil for a fixed path.
        let segments: [Substring]?
    }

    private static let table: [Entry] = allCases.map { route in
        let template = String(route.rawValue.drop { $0 != " " }.dropFirst())
        return Entry(
            route: route, method: route.method, template: template,
            segments: template.contains("{key}")
                ? template.split(separator: "/", omittingEmptySubsequences: false) : nil)
    }

    /// Matches a method and a percent-decoded path. `HEAD` matches the `GET` routes, as
    /// HTTP asks of a server: the answer is the `GET` one, whose body libmicrohttpd
    /// leaves out.
    static func match(method: String, path: String) -> Match {
        let method = method == "HEAD" ? "GET" : method
        var allowed: [String] = []
        var given: [Substring]?
        for entry in table {
            let key: String?
            if let segments = entry.segments {
                if given == nil {
                    given = path.split(separator: "/", omittingEmptySubsequences: false)
                }
                key = captures(segments, given ?? [])
            } else {
                key = entry.template == path ? "" : nil
            }
            guard let key else {
                continue
            }
            if entry.method == method {
                return .found(entry.route, key: key.isEmpty ? nil : key)
            }
            allowed.append(entry.method)
            if entry.method == "GET" {
                allowed.append("HEAD")
            }
        }
        return allowed.isEmpty ? .notFound : .wrongMethod(allowed: allowed)
    }

    /// The `{key}` segment when the path's segments fit the template's, or nil.
    private static func captures(_ wanted: [Substring], _ given: [Substring]) -> String? {
        guard wanted.count == given.count else {
            return nil
        }
        var key = ""
        for (pattern, segment) in zip(wanted, given) {
            if pattern == "{key}" {
                guard !segment.isEmpty else {
                    return nil
                }
                key = String(segment)
            } else if pattern != segment {
                return nil
            }
        }
        return key
    }
}
