import Foundation

/// An 8-bit RGB image and its PNG encoding, for report figures that are pictures rather than
/// drawings (slices with contours). Foundation has no PNG encoder on Linux, and a figure needs
/// none of PNG's compression, so the encoder writes the smallest correct file it can: one IDAT
/// chunk whose zlib stream holds stored (uncompressed) deflate blocks, every scanline unfiltered.
public struct PNGImage: Sendable, Equatable {
    public let width: Int
    public let height: Int
    /// Row-major red, green, blue bytes, top row first.
    public var pixels: [UInt8]

    /// A black image.
    public init(width: Int, height: Int) {
        precondition(width > 0 && height > 0, "a PNG image has at least one pixel")
        self.width = width
        self.height = height
        pixels = [UInt8](repeating: 0, count: width * height * 3)
    }

    public subscript(x: Int, y: Int) -> (red: UInt8, green: UInt8, blue: UInt8) {
        get {
            let i = (y * width + x) * 3
            return (pixels[i], pixels[i + 1], pixels[i + 2])
        }
        set {
            let i = (y * width + x) * 3
            (pixels[i], pixels[i + 1], pixels[i + 2]) = (newValue.red, newValue.green, newValue.blue)
        }
    }

    /// The PNG file (ISO/IEC 15948): signature, IHDR, one IDAT, IEND.
    public func encoded() -> Data {
        var file = Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
        var header = Data()
        header.appendBigEndian(UInt32(width))
        header.appendBigEndian(UInt32(height))
        // bit depth 8, colour type 2 (RGB), deflate, adaptive filtering, no interlace
        header.append(contentsOf: [8, 2, 0, 0, 0])
        file.appendChunk("IHDR", header)
        var scanlines = [UInt8]()
        scanlines.reserveCapacity(height * (1 + width * 3))
        for row in 0..<height {
            scanlines.append(0)  // filter type None
            scanlines.append(contentsOf: pixels[(row * width * 3)..<((row + 1) * width * 3)])
        }
        file.appendChunk("IDAT", Self.zlibStored(scanlines))
        file.appendChunk("IEND", Data())
        return file
    }

    /// Writes the PNG file.
    public func write(to url: URL) throws {
        try encoded().write(to: url, options: .atomic)
    }

    /// A zlib stream (RFC 1950) of stored deflate blocks (RFC 1951 §3.2.4), at most 65 535 bytes each.
    static func zlibStored(_ bytes: [UInt8]) -> Data {
        // CMF 0x78: deflate, 32 KiB window; FLG 0x01: no dictionary, fastest level, (CMF·256 + FLG) % 31 == 0
        var stream = Data([0x78, 0x01])
        var start = 0
        repeat {
            let count = min(65_535, bytes.count - start)
            let isLast = start + count == bytes.count
            stream.append(isLast ? 1 : 0)  // BFINAL, BTYPE 00
            stream.appendLittleEndian(UInt16(count))
            stream.appendLittleEndian(~UInt16(count))
            stream.append(contentsOf: bytes[start..<(start + count)])
            start += count
        } while start < bytes.count
        stream.appendBigEndian(adler32(bytes))
        return stream
    }

    /// Adler-32 (RFC 1950 §8.2).
    static func adler32(_ bytes: [UInt8]) -> UInt32 {
        var a: UInt32 = 1, b: UInt32 = 0
        // 5552 bytes is the most that can be summed before b could overflow 32 bits.
        var index = 0
        while index < bytes.count {
            let end = min(index + 5552, bytes.count)
            for byte in bytes[index..<end] {
                a += UInt32(byte)
                b += a
            }
            a %= 65_521
            b %= 65_521
            index = end
        }
        return b << 16 | a
    }

    /// CRC-32 as PNG chunks use it (ISO 3309, reflected polynomial 0xEDB88320).
    static func crc32<Bytes: Sequence<UInt8>>(_ bytes: Bytes) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes { crc = crcTable[Int((crc ^ UInt32(byte)) & 0xFF)] ^ (crc >> 8) }
        return crc ^ 0xFFFF_FFFF
    }

    private static let crcTable: [UInt32] = (0..<256).map { n in
        var c = UInt32(n)
        for _ in 0..<8 { c = c & 1 != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
        return c
    }
}

extension Data {
    fileprivate mutating func appendBigEndian<Value: FixedWidthInteger>(_ value: Value) {
        Swift.withUnsafeBytes(of: value.bigEndian) { append(contentsOf: $0) }
    }

    fileprivate mutating func appendLittleEndian<Value: FixedWidthInteger>(_ value: Value) {
        Swift.withUnsafeBytes(of: value.littleEndian) { append(contentsOf: $0) }
    }

    /// Length, type, data, and the CRC-32 of type and data.
    fileprivate mutating func appendChunk(_ type: String, _ data: Data) {
        appendBigEndian(UInt32(data.count))
        let typed = Data(type.utf8) + data
        append(typed)
        appendBigEndian(PNGImage.crc32(typed))
    }
}
