import Foundation
import Testing

@testable import Neural

@Suite struct CheckpointTests {
    let config = UNet3DConfig(inputChannels: 2, levels: 2, baseChannels: 4, groupNormGroups: 2, convolutionBias: true)

    func temporaryURL() -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("neural-\(UUID().uuidString).safetensors")
    }

    @Test func roundTripIsBitExact() throws {
        let network = UNet3D(config: config, seed: 11)
        let url = temporaryURL()
        defer { try? FileManager.default.removeItem(at: url) }
        try Checkpoint.save(network, metadata: ["epoch": "7", "validationDice": "0.81"], to: url)
        let loaded = try Checkpoint.load(from: url, expecting: config)
        #expect(loaded.network.config == config)
        #expect(loaded.metadata == ["epoch": "7", "validationDice": "0.81"])
        for (a, b) in zip(network.namedParameters, loaded.network.namedParameters) {
            #expect(a.name == b.name)
            #expect(a.parameter.value.scalars.map(\.bitPattern) == b.parameter.value.scalars.map(\.bitPattern))
        }
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: url.deletingLastPathComponent().path)
            .filter { $0.contains(url.lastPathComponent) && $0.hasSuffix(".tmp") }
        #expect(leftovers.isEmpty)
    }

    @Test func fileFollowsTheSafetensorsLayout() throws {
        let network = UNet3D(config: config, seed: 1)
        let data = try Checkpoint.encode(network)
        let headerLength = Int(
            data.prefix(8).enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) })
        #expect(headerLength % 8 == 0)
        let header = try #require(
            try JSONSerialization.jsonObject(with: data.subdata(in: 8..<(8 + headerLength))) as? [String: Any])
        let head = try #require(header["head.weight"] as? [String: Any])
        #expect(head["dtype"] as? String == "F32")
        #expect(head["shape"] as? [Int] == [1, 4, 1, 1, 1])
        let parameterBytes = network.parameters.reduce(0) { $0 + $1.value.count * 4 }
        #expect(data.count == 8 + headerLength + parameterBytes)
        let metadata = try #require(header["__metadata__"] as? [String: String])
        #expect(metadata["format"] == "activeseg.unet3d")
    }

    @Test func truncatedFileIsRejected() throws {
        let data = try Checkpoint.encode(UNet3D(config: config, seed: 1))
        for length in [4, 100, data.count - 1] {
            #expect {
                try Checkpoint.decode(data.prefix(length))
            } throws: { ($0 as? CheckpointError)?.code == .truncated }
        }
    }

    @Test func configMismatchIsRejected() throws {
        let data = try Checkpoint.encode(UNet3D(config: config, seed: 1))
        var other = config
        other.baseChannels = 8
        #expect {
            try Checkpoint.decode(data, expecting: other)
        } throws: { ($0 as? CheckpointError)?.code == .configMismatch }
    }

    @Test(
        "wrong dtype or shape is rejected",
        arguments: [
            ("\"dtype\":\"F32\"", "\"dtype\":\"F16\"", CheckpointError.Code.wrongDType),
            ("\"shape\":[1,4,1,1,1]", "\"shape\":[4,1,1,1,1]", CheckpointError.Code.wrongShape),
        ])
    func headerTamperingIsRejected(original: String, replacement: String, code: CheckpointError.Code) throws {
        var data = try Checkpoint.encode(UNet3D(config: config, seed: 1))
        let headerLength = Int(
            data.prefix(8).enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) })
        var header = String(decoding: data.subdata(in: 8..<(8 + headerLength)), as: UTF8.self)
        // Tamper with head.weight, whose entry is unique; lengths are equal so offsets stay valid.
        let range = try #require(header.range(of: "\"head.weight\":{"))
        let entryEnd = try #require(header.range(of: "}", range: range.upperBound..<header.endIndex))
        let entry = String(header[range.lowerBound..<entryEnd.upperBound])
        header.replaceSubrange(
            range.lowerBound..<entryEnd.upperBound, with: entry.replacingOccurrences(of: original, with: replacement))
        data.replaceSubrange(8..<(8 + headerLength), with: Data(header.utf8))
        #expect {
            try Checkpoint.decode(data)
        } throws: { ($0 as? CheckpointError)?.code == code }
    }

    /// `data` with its header rebuilt after `edit` (tensor data unchanged): a checkpoint that claims
    /// what its author wants.
    func rewritingHeader(of data: Data, _ edit: (inout [String: Any]) throws -> Void) throws -> Data {
        let headerLength = Int(
            data.prefix(8).enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) })
        var header = try #require(
            try JSONSerialization.jsonObject(with: data.subdata(in: 8..<(8 + headerLength))) as? [String: Any])
        try edit(&header)
        let bytes = try JSONSerialization.data(withJSONObject: header, options: [.sortedKeys])
        var rewritten = Data()
        withUnsafeBytes(of: UInt64(bytes.count).littleEndian) { rewritten.append(contentsOf: $0) }
        rewritten.append(bytes)
        rewritten.append(data.suffix(from: 8 + headerLength))
        return rewritten
    }

    /// The checkpoint of `config`'s network with `fields` (a JSON object) overriding its stored
    /// configuration.
    func storingConfig(_ fields: String) throws -> Data {
        let overrides = try #require(try JSONSerialization.jsonObject(with: Data(fields.utf8)) as? [String: Any])
        return try rewritingHeader(of: Checkpoint.encode(UNet3D(config: config, seed: 1))) { header in
            var metadata = try #require(header["__metadata__"] as? [String: String])
            let stored = try #require(metadata["config"])
            var object = try #require(try JSONSerialization.jsonObject(with: Data(stored.utf8)) as? [String: Any])
            object.merge(overrides) { $1 }
            metadata["config"] = String(decoding: try JSONSerialization.data(withJSONObject: object), as: UTF8.self)
            header["__metadata__"] = metadata
        }
    }

    @Test(
        "a stored configuration outside the limits is refused before the network is built",
        arguments: [
            #"{"levels": 0}"#, #"{"levels": -3}"#, #"{"levels": 40}"#, #"{"groupNormGroups": 0}"#,
            #"{"groupNormGroups": 3}"#, #"{"baseChannels": 1099511627776}"#, #"{"baseChannels": 0}"#,
            #"{"baseChannels": 1024, "levels": 8}"#, #"{"inputChannels": 0}"#, #"{"convolutionsPerLevel": 0}"#,
            #"{"convolutionsPerLevel": 1073741824}"#, #"{"dropoutRate": 1.0}"#, #"{"dropoutRate": -0.5}"#,
        ])
    func absurdConfigurationIsInvalid(_ fields: String) throws {
        let data = try storingConfig(fields)
        #expect {
            try Checkpoint.decode(data)
        } throws: { ($0 as? CheckpointError)?.code == .invalidConfig }
    }

    @Test func aConfigurationLargerThanTheFileIsTruncated() throws {
        // Within the limits, but 2 levels from 1024 channels need ~310 M parameters, not the file's few thousand.
        let data = try storingConfig(#"{"baseChannels": 1024, "groupNormGroups": 8}"#)
        do {
            _ = try Checkpoint.decode(data)
            Issue.record("a checkpoint claiming 1.3 GB of weights was accepted")
        } catch let error as CheckpointError {
            #expect(error.code == .truncated)
            #expect(error.detail.contains("parameters"))
        }
    }

    @Test func parameterCountMatchesTheBuiltNetwork() {
        for config in [
            config,
            UNet3DConfig(inputChannels: 3, levels: 4, baseChannels: 8, convolutionsPerLevel: 3, groupNormGroups: 4),
            UNet3DConfig(),
        ] {
            let built = UNet3D(config: config, seed: 0).parameters.reduce(0) { $0 + $1.value.count }
            #expect(config.parameterCount == built)
        }
    }

    @Test(
        "tensor entries with absurd shapes or offsets are refused",
        arguments: [
            ("shape", [1 << 40, 1 << 40, 1, 1, 1], CheckpointError.Code.wrongShape),
            ("data_offsets", [Int.max - 3, Int.max], CheckpointError.Code.malformedHeader),
            ("data_offsets", [1, Int.min], CheckpointError.Code.malformedHeader),
            ("data_offsets", [-16, 0], CheckpointError.Code.malformedHeader),
        ])
    func hostileTensorEntryIsRefused(field: String, value: [Int], code: CheckpointError.Code) throws {
        let data = try rewritingHeader(of: Checkpoint.encode(UNet3D(config: config, seed: 1))) { header in
            var entry = try #require(header["head.weight"] as? [String: Any])
            entry[field] = value
            header["head.weight"] = entry
        }
        #expect {
            try Checkpoint.decode(data)
        } throws: { ($0 as? CheckpointError)?.code == code }
    }
}
