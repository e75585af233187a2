import Foundation
import Statistics
import Testing

@testable import Reporting

/// The PNG encoder, checked by reading its files back: chunk layout and CRCs, the zlib header,
/// the stored deflate blocks and the Adler-32 trailer, and the pixels they carry.
@Suite struct PNGImageTests {
    @Test func checksumsMatchTheirPublishedCheckValues() {
        // The CRC-32 check value of "123456789" (ISO 3309 / ITU-T V.42), and the CRC every PNG's
        // IEND chunk ends with.
        #expect(PNGImage.crc32(Array("123456789".utf8)) == 0xCBF4_3926)
        #expect(PNGImage.crc32(Array("IEND".utf8)) == 0xAE42_6082)
        // RFC 1950's Adler-32 of "Wikipedia" (the example worked in its Wikipedia article).
        #expect(PNGImage.adler32(Array("Wikipedia".utf8)) == 0x11E6_0398)
        #expect(PNGImage.adler32([]) == 1)
    }

    @Test(arguments: [(1, 1), (3, 2), (200, 120)])
    func anEncodedImageDecodesToItsPixels(width: Int, height: Int) throws {
        var image = PNGImage(width: width, height: height)
        for y in 0..<height {
            for x in 0..<width { image[x, y] = (UInt8(x % 256), UInt8(y % 256), UInt8((x * y) % 256)) }
        }
        let decoded = try DecodedPNG(image.encoded())
        #expect(decoded.chunkTypes == ["IHDR", "IDAT", "IEND"])
        #expect(decoded.width == width && decoded.height == height)
        #expect(decoded.bitDepth == 8 && decoded.colourType == 2)
        #expect(decoded.pixels == image.pixels)
        #expect(decoded.storedBlocks == (height * (1 + width * 3) + 65_534) / 65_535, "one block per 65 535 bytes")
    }

    @Test func aCorruptedByteFailsItsChunkCRC() throws {
        var data = PNGImage(width: 4, height: 4).encoded()
        data[data.startIndex + 8 + 8 + 3] ^= 0x01  // a byte of IHDR's width
        #expect(throws: DecodedPNG.Failure.self) { try DecodedPNG(data) }
    }

    @Test func theOverlayShowsTheSliceWithTheLargestTumorAndBothOutlines() throws {
        let (nx, ny, nz) = (12, 10, 4)
        var image = [Float](repeating: 0, count: nx * ny * nz)
        for i in image.indices { image[i] = Float(i % nx) }
        var truth = [UInt8](repeating: 0, count: image.count)
        var prediction = truth
        func set(_ mask: inout [UInt8], z: Int, xs: ClosedRange<Int>, ys: ClosedRange<Int>) {
            for y in ys { for x in xs { mask[(z * ny + y) * nx + x] = 1 } }
        }
        set(&truth, z: 1, xs: 2...3, ys: 2...3)
        set(&truth, z: 2, xs: 2...6, ys: 2...6)
        set(&prediction, z: 2, xs: 4...8, ys: 2...6)
        let overlay = try SliceOverlay(
            shape: (nx, ny, nz), image: image, prediction: prediction, truth: truth, scale: 2)
        #expect(overlay.slice == 2)
        #expect(overlay.image.width == nx * 2 && overlay.image.height == ny * 2)
        func pixel(_ x: Int, _ y: Int) -> [UInt8] {
            let p = overlay.image[x * 2 + 1, y * 2 + 1]
            return [p.red, p.green, p.blue]
        }
        let truthColour = [SliceOverlay.truthColour.red, SliceOverlay.truthColour.green, SliceOverlay.truthColour.blue]
        let predictionColour = [
            SliceOverlay.predictionColour.red, SliceOverlay.predictionColour.green,
            SliceOverlay.predictionColour.blue,
        ]
        let shared = [SliceOverlay.sharedColour.red, SliceOverlay.sharedColour.green, SliceOverlay.sharedColour.blue]
        #expect(pixel(2, 4) == truthColour, "left edge of the truth only")
        #expect(pixel(8, 4) == predictionColour, "right edge of the prediction only")
        #expect(pixel(4, 2) == shared, "top edge of both")
        #expect(pixel(3, 4)[0] == pixel(3, 4)[1] && pixel(3, 4)[1] == pixel(3, 4)[2], "inside the truth: grey")
        #expect(pixel(0, 0)[0] < pixel(11, 0)[0], "brighter voxels are lighter")
        let decoded = try DecodedPNG(overlay.image.encoded())
        #expect(decoded.pixels == overlay.image.pixels)
    }

    @Test func mismatchedVolumesAreRejected() {
        #expect(throws: StatisticsError.self) {
            try SliceOverlay(
                shape: (2, 2, 2), image: [Float](repeating: 0, count: 8), prediction: [0],
                truth: [UInt8](repeating: 0, count: 8))
        }
    }
}

/// A reader for exactly what `PNGImage` writes: RGB, 8 bits, unfiltered scanlines, stored blocks.
struct DecodedPNG {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    var chunkTypes: [String] = []
    var width = 0, height = 0, bitDepth = 0, colourType = 0
    var storedBlocks = 0
    var pixels: [UInt8] = []

    init(_ data: Data) throws {
        let bytes = [UInt8](data)
        guard bytes.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) else {
            throw Failure(description: "signature")
        }
        func u32(_ at: Int) -> Int { bytes[at..<(at + 4)].reduce(0) { $0 << 8 | Int($1) } }
        var at = 8
        var idat: [UInt8] = []
        while at < bytes.count {
            let length = u32(at)
            let typed = Array(bytes[(at + 4)..<(at + 8 + length)])
            guard UInt32(u32(at + 8 + length)) == PNGImage.crc32(typed) else {
                throw Failure(description: "CRC of chunk at \(at)")
            }
            let type = String(decoding: typed[0..<4], as: UTF8.self)
            chunkTypes.append(type)
            let body = Array(typed[4...])
            if type == "IHDR" {
                width = body[0..<4].reduce(0) { $0 << 8 | Int($1) }
                height = body[4..<8].reduce(0) { $0 << 8 | Int($1) }
                (bitDepth, colourType) = (Int(body[8]), Int(body[9]))
            } else if type == "IDAT" {
                idat += body
            }
            at += 12 + length
        }
        guard idat.count >= 6, (Int(idat[0]) << 8 | Int(idat[1])) % 31 == 0, idat[0] & 0x0F == 8 else {
            throw Failure(description: "zlib header")
        }
        var raw: [UInt8] = []
        var position = 2
        while true {
            let header = idat[position]
            guard header & 0x06 == 0 else { throw Failure(description: "not a stored block") }
            let length = Int(idat[position + 1]) | Int(idat[position + 2]) << 8
            let complement = Int(idat[position + 3]) | Int(idat[position + 4]) << 8
            guard length ^ complement == 0xFFFF else { throw Failure(description: "LEN/NLEN") }
            raw += idat[(position + 5)..<(position + 5 + length)]
            position += 5 + length
            storedBlocks += 1
            if header & 1 == 1 { break }
        }
        let adler = idat[position..<(position + 4)].reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
        guard adler == PNGImage.adler32(raw), position + 4 == idat.count else { throw Failure(description: "Adler-32") }
        let stride = 1 + width * 3
        guard raw.count == height * stride else { throw Failure(description: "scanline bytes") }
        for row in 0..<height {
            guard raw[row * stride] == 0 else { throw Failure(description: "filter type") }
            pixels += raw[(row * stride + 1)..<((row + 1) * stride)]
        }
    }
}
