/// A complete HTTP response: status, header fields and body bytes.
public struct HTTPResponse: Sendable, Equatable {
    /// The status code, for example 200 or 413.
    public var status: Int

    /// Header fields to send; `Content-Length` is computed and any given one is ignored.
    public var headers: HTTPHeaders

    /// The body bytes.
    public var body: [UInt8]

    /// Creates a response from its parts.
    public init(status: Int, headers: HTTPHeaders = [:], body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// A response whose body is already-encoded JSON, typed `application/json`.
    public static func json(status: Int, body: [UInt8]) -> HTTPResponse {
        HTTPResponse(
            status: status,
            headers: ["Content-Type": "application/json"],
            body: body
        )
    }

    /// A plain-text response in UTF-8.
    public static func text(status: Int, _ text: String) -> HTTPResponse {
        HTTPResponse(
            status: status,
            headers: ["Content-Type": "text/plain; charset=utf-8"],
            body: Array(text.utf8)
        )
    }

    /// A JSON error body `{"error":{"code":…,"message":…}}` with the given status.
    public static func jsonError(status: Int, code: String, message: String) -> HTTPResponse {
        let text = "{\"error\":{\"code\":\(jsonString(code)),\"message\":\(jsonString(message))}}"
        return .json(status: status, body: Array(text.utf8))
    }

    /// Encodes `text` as a JSON string literal with the escapes RFC 8259 requires.
    static func jsonString(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}
