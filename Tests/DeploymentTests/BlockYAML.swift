/// A YAML document as `docker-compose config` prints it: block mappings and sequences of scalars.
///
/// The normalised output of docker-compose 1.29 (PyYAML) and of Compose v2 (go-yaml) uses only
/// block collections, plain and quoted scalars (possibly folded over several lines), literal block
/// scalars and the empty flow collections `{}` and `[]`. Reading that subset keeps the tests free
/// of a YAML dependency; anything beyond it is reported instead of being misread.
indirect enum YAMLNode: Equatable {
    case scalar(String)
    case sequence([YAMLNode])
    case mapping([String: YAMLNode])

    subscript(key: String) -> YAMLNode? {
        if case .mapping(let entries) = self { return entries[key] }
        return nil
    }

    var string: String? {
        if case .scalar(let text) = self { return text }
        return nil
    }

    var items: [YAMLNode]? {
        if case .sequence(let items) = self { return items }
        return nil
    }

    var entries: [String: YAMLNode]? {
        if case .mapping(let entries) = self { return entries }
        return nil
    }
}

struct YAMLReadError: Error, CustomStringConvertible {
    var line: Int
    var detail: String
    var description: String { "YAML line \(line): \(detail)" }
}

/// Reads the block-YAML subset described on ``YAMLNode``.
struct BlockYAMLReader {
    private struct Line {
        var number: Int
        var indent: Int
        var text: Substring
    }

    private var lines: [Line]
    private var position = 0

    init(_ document: String) {
        lines = document.split(separator: "\n", omittingEmptySubsequences: false).enumerated().compactMap {
            index, raw in
            let text = raw.drop { $0 == " " }
            if text.isEmpty || text.hasPrefix("#") || text == "---" { return nil }
            return Line(number: index + 1, indent: raw.count - text.count, text: text)
        }
    }

    static func read(_ document: String) throws -> YAMLNode {
        var reader = BlockYAMLReader(document)
        guard let first = reader.lines.first else { return .mapping([:]) }
        let node = try reader.block(indent: first.indent)
        if reader.position < reader.lines.count {
            throw YAMLReadError(line: reader.lines[reader.position].number, detail: "unexpected indentation")
        }
        return node
    }

    /// The collection whose first line is the current one, at `indent`.
    private mutating func block(indent: Int) throws -> YAMLNode {
        let line = lines[position]
        return Self.isSequenceItem(line.text) ? try sequence(indent: indent) : try mapping(indent: indent)
    }

    private mutating func sequence(indent: Int) throws -> YAMLNode {
        var items: [YAMLNode] = []
        while position < lines.count, lines[position].indent == indent, Self.isSequenceItem(lines[position].text) {
            let line = lines[position]
            let content = line.text.dropFirst().drop { $0 == " " }
            if content.isEmpty {
                position += 1
                items.append(try nested(below: indent))
            } else if Self.splitKey(content) != nil {
                // "- key: value" opens a mapping whose keys line up with `key`.
                let inner = indent + (line.text.count - content.count)
                lines[position] = Line(number: line.number, indent: inner, text: content)
                items.append(try mapping(indent: inner))
            } else {
                position += 1
                items.append(try scalar(content, parentIndent: indent, line: line.number))
            }
        }
        return .sequence(items)
    }

    private mutating func mapping(indent: Int) throws -> YAMLNode {
        var entries: [String: YAMLNode] = [:]
        while position < lines.count, lines[position].indent == indent, !Self.isSequenceItem(lines[position].text) {
            let line = lines[position]
            guard let (key, rest) = Self.splitKey(line.text) else {
                throw YAMLReadError(line: line.number, detail: "expected 'key:' in '\(line.text)'")
            }
            position += 1
            if rest.isEmpty {
                // PyYAML writes a mapping's sequence value at the key's own indentation.
                if position < lines.count, lines[position].indent == indent, Self.isSequenceItem(lines[position].text) {
                    entries[key] = try sequence(indent: indent)
                } else {
                    entries[key] = try nested(below: indent)
                }
            } else {
                entries[key] = try scalar(rest, parentIndent: indent, line: line.number)
            }
        }
        return .mapping(entries)
    }

    /// The block indented deeper than `indent`, or an empty scalar when there is none (`key:` alone).
    private mutating func nested(below indent: Int) throws -> YAMLNode {
        guard position < lines.count, lines[position].indent > indent else { return .scalar("") }
        return try block(indent: lines[position].indent)
    }

    /// A scalar starting with `text`, continued by the following lines indented deeper than its key.
    private mutating func scalar(_ text: Substring, parentIndent: Int, line: Int) throws -> YAMLNode {
        var continuation: [Substring] = []
        while position < lines.count, lines[position].indent > parentIndent {
            continuation.append(lines[position].text)
            position += 1
        }
        switch text.first {
        case "|", ">":
            let separator = text.first == "|" ? "\n" : " "
            return .scalar(continuation.joined(separator: separator))
        case "{", "[":
            guard continuation.isEmpty, text == "{}" || text == "[]" else {
                throw YAMLReadError(line: line, detail: "flow collections other than {} and [] are not read")
            }
            return text == "{}" ? .mapping([:]) : .sequence([])
        case "'", "\"":
            let quote = text.first!
            var joined = String(text)
            for part in continuation {
                if quote == "\"", joined.hasSuffix("\\") {
                    joined.removeLast()
                    joined += part
                } else {
                    joined += " " + part
                }
            }
            guard let (value, rest) = Self.quoted(Substring(joined)), rest.drop(while: { $0 == " " }).isEmpty else {
                throw YAMLReadError(line: line, detail: "unterminated quoted scalar")
            }
            return .scalar(value)
        default:
            return .scalar(([text] + continuation).joined(separator: " "))
        }
    }

    private static func isSequenceItem(_ text: Substring) -> Bool {
        text == "-" || text.hasPrefix("- ")
    }

    /// `key: rest` with the key unquoted; nil when the line holds no key.
    private static func splitKey(_ text: Substring) -> (String, Substring)? {
        if text.first == "'" || text.first == "\"" {
            guard let (key, rest) = quoted(text), rest.first == ":" else { return nil }
            let value = rest.dropFirst()
            guard value.isEmpty || value.first == " " else { return nil }
            return (key, value.drop { $0 == " " })
        }
        if text.hasSuffix(":") { return (String(text.dropLast()), "") }
        guard let separator = text.firstRange(of: ": ") else { return nil }
        return (String(text[..<separator.lowerBound]), text[separator.upperBound...].drop { $0 == " " })
    }

    /// The quoted scalar at the start of `text` (single quotes escape by doubling, double quotes by
    /// backslash) and what follows it.
    private static func quoted(_ text: Substring) -> (String, Substring)? {
        guard let quote = text.first else { return nil }
        var value = ""
        var index = text.index(after: text.startIndex)
        while index < text.endIndex {
            let character = text[index]
            let next = text.index(after: index)
            if character == quote {
                if quote == "'", next < text.endIndex, text[next] == "'" {
                    value.append("'")
                    index = text.index(after: next)
                    continue
                }
                return (value, text[next...])
            }
            if quote == "\"", character == "\\", next < text.endIndex {
                switch text[next] {
                case "n": value.append("\n")
                case "t": value.append("\t")
                default: value.append(text[next])
                }
                index = text.index(after: next)
                continue
            }
            value.append(character)
            index = next
        }
        return nil
    }
}
