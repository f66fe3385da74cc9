import Foundation
import SplitlaneService
import Testing

/// `docs/openapi.yaml` and the service's route table describe the same routes.
struct OpenAPITests {
    /// "METHOD /path" for every operation under `paths:` in the YAML, read by indentation:
    /// paths at two spaces, methods at four.
    static func documentedRoutes() throws -> Set<String> {
        let root = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let text = try String(
            contentsOf: root.appendingPathComponent("docs/openapi.yaml"), encoding: .utf8)
        let methods: Set<String> = ["get", "post", "put", "patch", "delete", "head", "options"]

        var routes = Set<String>()
        var inPaths = false
        var path: String?
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if !line.hasPrefix(" "), !line.isEmpty {
                inPaths = line.hasPrefix("paths:")
                continue
            }
            guard inPaths else { continue }
            if line.hasPrefix("  /"), line.hasSuffix(":") {
                path = String(line.dropFirst(2).dropLast())
            } else if line.hasPrefix("    "), !line.hasPrefix("     "), line.hasSuffix(":"),
                let path
            {
                let method = String(line.dropFirst(4).dropLast())
                if methods.contains(method) { routes.insert(method.uppercased() + " " + path) }
            }
        }
        return routes
    }

    @Test func theDocumentListsExactlyTheServedRoutes() throws {
        let served = Set(ServiceRoute.allCases.map(\.rawValue))

        let documented = try Self.documentedRoutes()

        #expect(documented == served)
    }
}
