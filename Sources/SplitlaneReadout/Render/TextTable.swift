/// A table for a fixed-width terminal: columns padded to their widest cell, counted
/// in displayed characters rather than bytes, with optional ANSI colour per row.
struct TextTable {
    /// Which side of its column a cell hugs.
    enum Alignment {
        case left
        case right
    }

    /// A colour that carries meaning; `plain` prints without escapes.
    enum Tone {
        case plain
        case good
        case bad
        case warning
        case muted

        /// The ANSI select-graphic-rendition sequence that starts the tone.
        var ansi: String {
            switch self {
            case .plain: ""
            case .good: "\u{1B}[32m"
            case .bad: "\u{1B}[31m"
            case .warning: "\u{1B}[33m"
            case .muted: "\u{1B}[2m"
            }
        }
    }

    /// The ANSI sequence that ends any tone.
    static let reset = "\u{1B}[0m"

    /// The ANSI sequence for bold text.
    static let bold = "\u{1B}[1m"

    /// The space between two columns.
    static let gap = "  "

    var titles: [String]
    var alignments: [Alignment]
    var rows: [(cells: [String], tone: Tone)] = []

    init(_ columns: [(String, Alignment)]) {
        titles = columns.map(\.0)
        alignments = columns.map(\.1)
    }

    /// Appends a row; missing trailing cells print empty.
    mutating func append(_ cells: [String], tone: Tone = .plain) {
        rows.append((cells, tone))
    }

    /// The widest cell of each column, header included.
    var columnWidths: [Int] {
        titles.indices.map { column in
            let cells = rows.map { column < $0.cells.count ? $0.cells[column] : "" }
            return ([titles[column]] + cells).map(Self.displayWidth).max() ?? 0
        }
    }

    /// The total width of a rendered line.
    var width: Int {
        let widths = columnWidths
        return widths.reduce(0, +) + Self.gap.count * max(0, widths.count - 1)
    }

    /// The header, a rule and the rows, each line `indent` + exactly ``width`` columns.
    func render(color: Bool, indent: String = "") -> [String] {
        let widths = columnWidths
        let header = line(titles, widths: widths)
        let rule = widths.map { String(repeating: "─", count: $0) }.joined(separator: Self.gap)

        var lines = [
            indent + (color ? Self.bold + header + Self.reset : header),
            indent + (color ? Tone.muted.ansi + rule + Self.reset : rule),
        ]
        for row in rows {
            let text = line(row.cells, widths: widths)
            let colored = color && row.tone != .plain
            lines.append(indent + (colored ? row.tone.ansi + text + Self.reset : text))
        }
        return lines
    }

    private func line(_ cells: [String], widths: [Int]) -> String {
        widths.indices.map { column in
            let cell = column < cells.count ? cells[column] : ""
            let padding = String(repeating: " ", count: widths[column] - Self.displayWidth(cell))
            return alignments[column] == .left ? cell + padding : padding + cell
        }.joined(separator: Self.gap)
    }

    /// The number of terminal columns `text` occupies: one per character (grapheme
    /// cluster), two for East Asian wide and emoji characters.
    static func displayWidth(_ text: String) -> Int {
        text.reduce(0) { total, character in
            guard let scalar = character.unicodeScalars.first else { return total }
            return total + (isWide(scalar.value) ? 2 : 1)
        }
    }

    private static func isWide(_ value: UInt32) -> Bool {
        switch value {
        case 0x1100...0x115F, 0x2E80...0x303E, 0x3041...0x33FF, 0x3400...0x4DBF,
            0x4E00...0x9FFF, 0xA000...0xA4CF, 0xAC00...0xD7A3, 0xF900...0xFAFF,
            0xFE30...0xFE4F, 0xFF00...0xFF60, 0xFFE0...0xFFE6, 0x1F300...0x1F64F,
            0x1F900...0x1F9FF, 0x20000...0x3FFFD:
            true
        default:
            false
        }
    }
}
