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
        let headerLength = Int(data.prefix(8).enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) })
        #expect(headerLength % 8 == 0)
        let header = try #require(try JSONSerialization.jsonObject(with: data.subdata(in: 8..<(8 + headerLength))) as? [String: Any])
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

    @Test("wrong dtype or shape is rejected", arguments: [
        ("\"dtype\":\"F32\"", "\"dtype\":\"F16\"", CheckpointError.Code.wrongDType),
        ("\"shape\":[1,4,1,1,1]", "\"shape\":[4,1,1,1,1]", CheckpointError.Code.wrongShape),
    ])
    func headerTamperingIsRejected(original: String, replacement: String, code: CheckpointError.Code) throws {
        var data = try Checkpoint.encode(UNet3D(config: config, seed: 1))
        let headerLength = Int(data.prefix(8).enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) })
        var header = String(decoding: data.subdata(in: 8..<(8 + headerLength)), as: UTF8.self)
        // Tamper with head.weight, whose entry is unique; lengths are equal so offsets stay valid.
        let range = try #require(header.range(of: "\"head.weight\":{"))
        let entryEnd = try #require(header.range(of: "}", range: range.upperBound..<header.endIndex))
        let entry = String(header[range.lowerBound..<entryEnd.upperBound])
        header.replaceSubrange(range.lowerBound..<entryEnd.upperBound, with: entry.replacingOccurrences(of: original, with: replacement))
        data.replaceSubrange(8..<(8 + headerLength), with: Data(header.utf8))
        #expect {
            try Checkpoint.decode(data)
        } throws: { ($0 as? CheckpointError)?.code == code }
    }
}
