import Foundation
import HTTPServer
import Testing

/// Runs `wrk` against a trivial handler; only when `HTTPSERVER_WRK=1`, since it takes
/// seconds and its figures depend on the machine. It prints wrk's report and checks
/// that every request was answered without socket errors or non-2xx statuses.
@Suite(
    .serialized,
    .enabled(if: ProcessInfo.processInfo.environment["HTTPSERVER_WRK"] == "1")
)
struct ThroughputProbe {
    @Test(arguments: ["/", "/async"])
    func wrkAgainstATrivialHandler(path: String) throws {
        let body = Array("{\"ok\":true}".utf8)
        let server = try HTTPServer(configuration: .init(threadPoolSize: 2)) { request, responder in
            if request.path == "/async" {
                DispatchQueue.global().async { responder.respond(.json(status: 200, body: body)) }
            } else {
                responder.respond(.json(status: 200, body: body))
            }
        }
        defer { server.stop(drainTimeout: .seconds(2)) }
        let wrk = Process()
        let output = Pipe()
        wrk.executableURL = URL(fileURLWithPath: "/usr/bin/wrk")
        wrk.arguments = ["-t2", "-c32", "-d5s", "http://127.0.0.1:\(server.port)\(path)"]
        wrk.standardOutput = output

        try wrk.run()
        let report = String(
            decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        wrk.waitUntilExit()

        print("wrk \(path)\n\(report)")
        #expect(wrk.terminationStatus == 0)
        #expect(report.contains("Requests/sec"))
        #expect(!report.contains("Socket errors"))
        #expect(!report.contains("Non-2xx"))
    }
}
