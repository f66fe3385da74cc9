/// Checks `Authorization: Bearer TOKEN` headers against the configured tokens, in time
/// that does not depend on where a guess first differs from a token.
struct TokenAuthenticator: Sendable {
    private let tokens: [[UInt8]]

    /// Creates an authenticator; empty tokens are dropped.
    init(tokens: [String]) {
        self.tokens = tokens.filter { !$0.isEmpty }.map { Array($0.utf8) }
    }

    /// Whether any token is configured.
    var hasTokens: Bool {
        !tokens.isEmpty
    }

    /// Whether the header holds a bearer token equal to one configured token.
    ///
    /// Every configured token is compared, each over its whole length, so the time
    /// taken reveals neither which token nor how much of it matched.
    func isAuthorized(_ header: String?) -> Bool {
        guard let header else {
            return false
        }
        let bytes = Array(header.utf8)
        let scheme = Array("bearer ".utf8)
        guard bytes.count > scheme.count,
            zip(bytes, scheme).allSatisfy({ lowercased($0) == $1 })
        else {
            return false
        }
        let presented = Array(bytes[scheme.count...])

        var matched = false
        for token in tokens {
            matched = Self.constantTimeEqual(token, presented) || matched
        }
        return matched
    }

    /// Compares two byte strings by accumulating the XOR of every byte pair of the
    /// token's length; the length difference is folded into the same accumulator.
    static func constantTimeEqual(_ token: [UInt8], _ presented: [UInt8]) -> Bool {
        var difference = UInt(token.count ^ presented.count)
        for index in token.indices {
            let other = index < presented.count ? presented[index] : ~token[index]
            difference |= UInt(token[index] ^ other)
        }
        return difference == 0
    }

    private func lowercased(_ byte: UInt8) -> UInt8 {
        (0x41...0x5A).contains(byte) ? byte | 0x20 : byte
    }
}
