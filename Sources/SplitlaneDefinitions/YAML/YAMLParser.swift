import CYAML

/// A problem that stops the parse or drops part of the tree, located when possible.
struct YAMLProblem: Error, Sendable, Hashable {
    var location: SourceLocation?
    var message: String
}

/// The result of parsing one document: the tree and the problems that did not stop
/// the parse (duplicate mapping keys, whose later entries are dropped).
struct YAMLDocument: Sendable {
    var root: YAMLNode
    var problems: [YAMLProblem]
}

/// Builds a ``YAMLNode`` tree from libyaml's event parser (`yaml_parser_parse`).
///
/// The parser accepts exactly one UTF-8 document, bounds what aliases may expand
/// to and how deep collections may nest, and reports every failure as a
/// ``YAMLProblem`` with a 1-based line and column. No libyaml pointer leaves it.
struct YAMLParser: Sendable {
    /// Limits that keep a small hostile file from costing much time or memory.
    struct Limits: Sendable, Hashable {
        /// Largest file accepted, in bytes.
        var maximumBytes = 1 << 20
        /// Most nodes the tree may hold once every alias is expanded.
        var maximumExpandedNodes = 100_000
        /// Deepest nesting of lists and mappings.
        var maximumDepth = 64
    }

    var limits = Limits()

    static let emptyFileMessage = "expected an experiment mapping, got an empty file"

    /// Parses `bytes` as one YAML document.
    ///
    /// - Throws: ``YAMLProblem`` for anything that leaves no usable tree: bad
    ///   UTF-8, a syntax error, no document or several, an alias over the limit.
    func parse(_ bytes: [UInt8]) throws(YAMLProblem) -> YAMLDocument {
        guard bytes.count <= limits.maximumBytes else {
            throw YAMLProblem(
                location: nil,
                message: "expected a file of at most \(limits.maximumBytes) bytes, "
                    + "got \(bytes.count) bytes")
        }
        // libyaml asserts on a null input pointer, which an empty buffer may have.
        guard !bytes.isEmpty else {
            throw YAMLProblem(location: nil, message: Self.emptyFileMessage)
        }
        try Self.checkUTF8(bytes)

        let result: Result<YAMLDocument, YAMLProblem> = bytes.withUnsafeBufferPointer {
            buffer in
            let parser = UnsafeMutablePointer<yaml_parser_t>.allocate(capacity: 1)
            defer { parser.deallocate() }
            guard yaml_parser_initialize(parser) != 0 else {
                return .failure(YAMLProblem(location: nil, message: "libyaml is out of memory"))
            }
            defer { yaml_parser_delete(parser) }
            yaml_parser_set_encoding(parser, YAML_UTF8_ENCODING)
            yaml_parser_set_input_string(parser, buffer.baseAddress, buffer.count)

            var builder = TreeBuilder(limits: limits)
            do throws(YAMLProblem) {
                return .success(try builder.run(parser: parser, bytes: buffer))
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }

    /// Rejects bytes that are not UTF-8, locating the first bad byte.
    static func checkUTF8(_ bytes: [UInt8]) throws(YAMLProblem) {
        var parser = Unicode.UTF8.ForwardParser()
        var iterator = bytes.makeIterator()
        var offset = 0
        while true {
            switch parser.parseScalar(from: &iterator) {
            case .valid(let scalar):
                offset += scalar.count
            case .emptyInput:
                return
            case .error(let length):
                let bad = bytes[offset..<min(offset + length, bytes.count)]
                let hex = bad.map { "0x" + String($0, radix: 16, uppercase: true) }
                throw YAMLProblem(
                    location: location(ofByte: offset, in: bytes[...]),
                    message: "expected UTF-8 text, got the byte sequence "
                        + "\"\(hex.joined(separator: " "))\"")
            }
        }
    }

    /// The line and column (1-based, counting characters) of a byte offset.
    static func location(ofByte offset: Int, in bytes: ArraySlice<UInt8>) -> SourceLocation {
        var line = 1
        var column = 1
        for byte in bytes.prefix(offset) {
            if byte == UInt8(ascii: "\n") {
                line += 1
                column = 1
            } else if byte & 0xC0 != 0x80 {
                column += 1
            }
        }
        return SourceLocation(line: line, column: column)
    }
}

/// Consumes libyaml events and assembles nodes on an explicit stack, so a deeply
/// nested file cannot exhaust the call stack.
private struct TreeBuilder {
    /// A list or mapping whose end event has not arrived yet.
    struct Frame {
        var isMapping: Bool
        var location: SourceLocation
        var tag: String?
        var anchor: String?
        var items: [YAMLNode] = []
        var size = 1
    }

    let limits: YAMLParser.Limits
    var stack: [Frame] = []
    var anchors: [String: (node: YAMLNode, size: Int)] = [:]
    var expandedNodes = 0
    var documents = 0
    var root: YAMLNode?
    var problems: [YAMLProblem] = []

    init(limits: YAMLParser.Limits) {
        self.limits = limits
    }

    /// Runs `yaml_parser_parse` until the stream ends, returning the document.
    mutating func run(
        parser: UnsafeMutablePointer<yaml_parser_t>,
        bytes: UnsafeBufferPointer<UInt8>
    ) throws(YAMLProblem) -> YAMLDocument {
        var event = yaml_event_t()
        while true {
            guard yaml_parser_parse(parser, &event) != 0 else {
                throw Self.syntaxProblem(parser.pointee, bytes: bytes)
            }
            defer { yaml_event_delete(&event) }

            if event.type == YAML_STREAM_END_EVENT {
                break
            }
            try handle(event)
        }

        guard let root else {
            throw YAMLProblem(location: nil, message: YAMLParser.emptyFileMessage)
        }
        return YAMLDocument(root: root, problems: problems)
    }

    /// Applies one event to the stack.
    mutating func handle(_ event: yaml_event_t) throws(YAMLProblem) {
        let location = SourceLocation(
            line: Int(event.start_mark.line) + 1, column: Int(event.start_mark.column) + 1)

        switch event.type {
        case YAML_DOCUMENT_START_EVENT:
            documents += 1
            if documents > 1 {
                throw YAMLProblem(
                    location: location,
                    message: "expected one YAML document per file, got a second document")
            }

        case YAML_ALIAS_EVENT:
            let name = Self.string(event.data.alias.anchor) ?? ""
            guard let anchored = anchors[name] else {
                throw YAMLProblem(
                    location: location,
                    message: "expected an alias to an anchor defined earlier, got \"*\(name)\"")
            }
            try add(anchored.node, size: anchored.size, at: location)

        case YAML_SCALAR_EVENT:
            let scalar = event.data.scalar
            let text: String
            if let value = scalar.value {
                text = String(decoding: UnsafeBufferPointer(start: value, count: scalar.length),
                    as: UTF8.self)
            } else {
                text = ""
            }
            let node = YAMLNode(
                kind: .scalar(text, Self.style(scalar.style)), location: location,
                tag: Self.string(scalar.tag))
            try add(node, size: 1, at: location)
            if let anchor = Self.string(scalar.anchor) {
                anchors[anchor] = (node, 1)
            }

        case YAML_SEQUENCE_START_EVENT, YAML_MAPPING_START_EVENT:
            guard stack.count < limits.maximumDepth else {
                throw YAMLProblem(
                    location: location,
                    message: "expected lists and mappings nested at most "
                        + "\(limits.maximumDepth) deep, got deeper nesting")
            }
            let isMapping = event.type == YAML_MAPPING_START_EVENT
            let tag = Self.string(
                isMapping ? event.data.mapping_start.tag : event.data.sequence_start.tag)
            let anchor = Self.string(
                isMapping ? event.data.mapping_start.anchor : event.data.sequence_start.anchor)
            stack.append(Frame(isMapping: isMapping, location: location, tag: tag, anchor: anchor))

        case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
            guard let frame = stack.popLast() else { return }
            let kind: YAMLNode.Kind
            if frame.isMapping {
                kind = .mapping(makeEntries(frame.items))
            } else {
                kind = .sequence(frame.items)
            }
            let node = YAMLNode(kind: kind, location: frame.location, tag: frame.tag)
            try add(node, size: frame.size, at: location, countingSelf: false)
            if let anchor = frame.anchor {
                anchors[anchor] = (node, frame.size)
            }

        default:
            break
        }
    }

    /// Attaches a finished node to the open collection, or makes it the root,
    /// counting it against the expansion limit.
    mutating func add(
        _ node: YAMLNode, size: Int, at location: SourceLocation, countingSelf: Bool = true
    ) throws(YAMLProblem) {
        // A collection's own nodes were counted as they arrived; an alias or a
        // scalar adds its whole size now.
        if countingSelf {
            expandedNodes += size
        } else {
            expandedNodes += 1
        }
        guard expandedNodes <= limits.maximumExpandedNodes else {
            throw YAMLProblem(
                location: location,
                message: "expected at most \(limits.maximumExpandedNodes) nodes after "
                    + "expanding aliases, got more (an alias bomb?)")
        }

        if stack.isEmpty {
            root = node
        } else {
            stack[stack.count - 1].items.append(node)
            stack[stack.count - 1].size += size
        }
    }

    /// Pairs keys with values, dropping and reporting repeated scalar keys.
    mutating func makeEntries(_ items: [YAMLNode]) -> [YAMLEntry] {
        var entries: [YAMLEntry] = []
        var seen: [String: SourceLocation] = [:]
        var index = 0
        while index + 1 < items.count {
            let key = items[index]
            let value = items[index + 1]
            index += 2
            if let text = key.scalarText {
                if let first = seen[text] {
                    problems.append(YAMLProblem(
                        location: key.location,
                        message: "expected each key once in a mapping, got \"\(text)\" again "
                            + "(first at line \(first.line), column \(first.column))"))
                    continue
                }
                seen[text] = key.location
            }
            entries.append(YAMLEntry(key: key, value: value))
        }
        return entries
    }

    /// Describes libyaml's error, with its problem mark when it has one.
    static func syntaxProblem(
        _ parser: yaml_parser_t, bytes: UnsafeBufferPointer<UInt8>
    ) -> YAMLProblem {
        let problem = string(parser.problem) ?? "unknown problem"
        var message = "expected valid YAML, got a syntax error: \(problem)"
        if let context = string(parser.context) {
            message += " \(context)"
        }

        if parser.error == YAML_READER_ERROR {
            let offset = min(Int(parser.problem_offset), bytes.count)
            let location = YAMLParser.location(ofByte: offset, in: Array(bytes)[...])
            return YAMLProblem(location: location, message: message)
        }

        let mark = parser.problem_mark
        let index = Int(mark.index)
        if index < bytes.count, bytes[index] == UInt8(ascii: "\t") {
            message += " (a tab; YAML indents with spaces only)"
        }
        let location = SourceLocation(line: Int(mark.line) + 1, column: Int(mark.column) + 1)
        return YAMLProblem(location: location, message: message)
    }

    /// Copies a NUL-terminated libyaml string.
    static func string(_ pointer: UnsafeMutablePointer<yaml_char_t>?) -> String? {
        guard let pointer else { return nil }
        return String(cString: pointer)
    }

    /// Copies a NUL-terminated C string from libyaml's error fields.
    static func string(_ pointer: UnsafePointer<CChar>?) -> String? {
        guard let pointer else { return nil }
        return String(cString: pointer)
    }

    static func style(_ style: yaml_scalar_style_t) -> YAMLNode.ScalarStyle {
        switch style {
        case YAML_SINGLE_QUOTED_SCALAR_STYLE: return .singleQuoted
        case YAML_DOUBLE_QUOTED_SCALAR_STYLE: return .doubleQuoted
        case YAML_LITERAL_SCALAR_STYLE: return .literal
        case YAML_FOLDED_SCALAR_STYLE: return .folded
        default: return .plain
        }
    }
}
