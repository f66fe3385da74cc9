import Foundation
import Glibc

/// A response read off the socket by ``TestHTTPClient``.
struct TestResponse {
    var status: Int
    var headers: [String: String]
    var body: [UInt8]

    /// The body parsed as a JSON object (empty when it is not one).
    var json: [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any] ?? [:]
    }

    /// `error.code` of a JSON error body.
    var errorCode: String? {
        (json["error"] as? [String: Any])?["code"] as? String
    }

    var text: String { String(decoding: body, as: UTF8.self) }
}

/// A deliberately small HTTP/1.1 client over a plain socket, so tests can send exactly
/// the bytes they mean (invalid UTF-8, partial bodies, lying Content-Length).
enum TestHTTPClient {
    static let token = "test-token-0123456789"

    /// Sends one request with `Connection: close` and reads the whole answer.
    static func request(
        port: UInt16,
        _ method: String,
        _ path: String,
        body: [UInt8] = [],
        contentType: String? = "application/json",
        token: String? = TestHTTPClient.token,
        extraHeaders: [String] = []
    ) throws -> TestResponse {
        let socket = try connect(port: port)
        defer { close(socket) }
        var head = "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
        if let contentType { head += "Content-Type: \(contentType)\r\n" }
        if let token { head += "Authorization: Bearer \(token)\r\n" }
        for header in extraHeaders { head += header + "\r\n" }
        if !extraHeaders.contains(where: { $0.lowercased().hasPrefix("content-length") }) {
            head += "Content-Length: \(body.count)\r\n"
        }
        head += "\r\n"
        try write(socket, Array(head.utf8) + body)
        return try readResponse(socket)
    }

    /// JSON helper: encodes `object` and POSTs it.
    static func post(port: UInt16, _ path: String, json object: Any) throws -> TestResponse {
        let body = try JSONSerialization.data(withJSONObject: object)
        return try request(port: port, "POST", path, body: Array(body))
    }

    /// Opens a TCP connection to 127.0.0.1:`port`.
    static func connect(port: UInt16) throws -> Int32 {
        let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socket >= 0 else { throw ClientError("socket failed") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let status = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard status == 0 else {
            close(socket)
            throw ClientError("connect to \(port) failed: errno \(errno)")
        }
        return socket
    }

    /// Writes every byte, without SIGPIPE when the peer has gone.
    static func write(_ socket: Int32, _ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes[offset...].withUnsafeBytes {
                send(socket, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL))
            }
            guard sent > 0 else { throw ClientError("send failed: errno \(errno)") }
            offset += sent
        }
    }

    /// Reads status, headers and a Content-Length body.
    static func readResponse(_ socket: Int32) throws -> TestResponse {
        var data: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65_536)
        var headerEnd: Int?
        var expected: Int?
        while true {
            if let end = headerEnd, let length = expected, data.count >= end + length { break }
            let count = recv(socket, &buffer, buffer.count, 0)
            if count <= 0 { break }
            data += buffer[0..<count]
            if headerEnd == nil, let range = find([13, 10, 13, 10], in: data) {
                headerEnd = range
                let head = String(decoding: data[0..<range], as: UTF8.self)
                for line in head.split(separator: "\r\n") {
                    let parts = line.split(separator: ":", maxSplits: 1)
                    if parts.count == 2, parts[0].lowercased() == "content-length" {
                        expected = Int(parts[1].trimmingCharacters(in: .whitespaces))
                    }
                }
            }
        }
        guard let end = headerEnd else { throw ClientError("no response head") }
        let lines = String(decoding: data[0..<end], as: UTF8.self).split(separator: "\r\n")
        let statusParts = lines.first?.split(separator: " ") ?? []
        guard statusParts.count >= 2, let status = Int(statusParts[1]) else {
            throw ClientError("bad status line")
        }
        var headers: [String: String] = [:]
        for line in lines.dropFirst() {
            let parts = line.split(separator: ":", maxSplits: 1)
            if parts.count == 2 {
                headers[parts[0].lowercased()] = parts[1].trimmingCharacters(in: .whitespaces)
            }
        }
        let bodyEnd = min(data.count, end + 4 + (expected ?? data.count))
        return TestResponse(status: status, headers: headers, body: Array(data[(end + 4)..<bodyEnd]))
    }

    private static func find(_ needle: [UInt8], in haystack: [UInt8]) -> Int? {
        guard haystack.count >= needle.count else { return nil }
        for index in 0...(haystack.count - needle.count)
        where haystack[index..<(index + needle.count)].elementsEqual(needle) {
            return index
        }
        return nil
    }

    /// A TCP port on 127.0.0.1 that nothing listens on.
    static func closedPort() throws -> UInt16 {
        let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(socket) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        try withUnsafeMutablePointer(to: &address) { pointer in
            try pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                guard bind(socket, $0, length) == 0, getsockname(socket, $0, &length) == 0 else {
                    throw ClientError("bind failed")
                }
            }
        }
        return UInt16(bigEndian: address.sin_port)
    }
}

struct ClientError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
