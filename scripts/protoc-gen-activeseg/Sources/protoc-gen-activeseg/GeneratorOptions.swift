import SwiftProtobufPluginLibrary

/// The plugin's parameters, passed as `--activeseg_opt=Key=Value`.
struct GeneratorOptions {
    var sourceSHA256: String

    init(_ parameter: any CodeGeneratorParameter) throws {
        var checksum: String?
        for (key, value) in parameter.parsedPairs {
            switch key {
            case "SourceSHA256": checksum = value
            default: throw GenerationError("unknown option \(key)")
            }
        }
        guard let checksum, checksum.count == 64, checksum.allSatisfy(\.isHexDigit) else {
            throw GenerationError("SourceSHA256=<64 hex digits> is required")
        }
        sourceSHA256 = checksum
    }
}
