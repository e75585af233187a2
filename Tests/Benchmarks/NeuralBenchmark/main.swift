import CPeak
import Foundation
import Neural
import SeededRandom

/// Training and inference figures for the Neural engine (release build).
///
///     swift run -c release neural-benchmark train [A|B|cpu] [--steps N] [--threads T] [--precision fp32|bf16]
///     swift run -c release neural-benchmark peak [--threads T]
///     swift run -c release neural-benchmark conv [--in 16] [--out 16] [--size 64] [--threads T] [--precision fp32|bf16]
///     swift run -c release neural-benchmark infer [--threads T] [--precision fp32|bf16] [--skip-windows] [--skip-whole] [--skip-mc-dropout]
///     swift run -c release neural-benchmark evaluate [--cases N] [--threads T]
///
/// `evaluate` times what a scorer does for one evaluation job with the `cpu` network on a 3 mm
/// brain (2×47×57×47), job after job: the checkpoint decoded into a new network, that network's first
/// whole-volume pass (which builds its convolution plans), and a second pass of the same network,
/// so the share of a job spent before the arithmetic is seen next to the arithmetic itself.
///
/// `OPENBLAS_CORETYPE=Haswell` selects OpenBLAS's Haswell kernels instead of the auto-detected ones.

let arguments = Array(CommandLine.arguments.dropFirst())

/// `--precision fp32|bf16` (default fp32).
let precision: Precision = {
    guard let i = arguments.firstIndex(of: "--precision"), i + 1 < arguments.count,
        let value = Precision(rawValue: arguments[i + 1])
    else { return .fp32 }
    return value
}()

func option(_ name: String, default value: Int) -> Int {
    guard let i = arguments.firstIndex(of: name), i + 1 < arguments.count, let v = Int(arguments[i + 1]) else {
        return value
    }
    return v
}

/// Peak resident set size (VmHWM) in MB.
func peakResidentMB() -> Double {
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
        let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
        let kb = Double(line.split(separator: " ").dropFirst().first ?? "")
    else { return .nan }
    return kb / 1024
}

func milliseconds(_ body: () -> Void) -> Double {
    let start = DispatchTime.now().uptimeNanoseconds
    body()
    return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6
}

/// Process CPU time (user + system, all threads) in ms: under a shared machine's load this moves
/// far less than wall time, so it is printed next to it.
func cpuMilliseconds() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) * 1e3
        + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e3
}

func median(_ values: [Double]) -> Double {
    let sorted = values.sorted()
    return sorted.count % 2 == 1
        ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
}

func randomVolume(_ shape: [Int], seed: UInt64) -> Tensor {
    var state = seed
    return Tensor(
        shape: shape,
        scalars: (0..<shape.reduce(1, *)).map { _ in
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Float(Int64(bitPattern: state >> 11) % 2000) / 1000 - 1
        })
}

func sphereLabel(_ n: Int) -> Tensor {
    let c = Double(n - 1) / 2, r = Double(n) / 4
    var label = Tensor(zeros: [1, 1, n, n, n])
    for z in 0..<n {
        for y in 0..<n {
            for x in 0..<n {
                let d =
                    (Double(z) - c) * (Double(z) - c) + (Double(y) - c) * (Double(y) - c) + (Double(x) - c)
                    * (Double(x) - c)
                if d <= r * r { label.scalars[(z * n + y) * n + x] = 1 }
            }
        }
    }
    return label
}

/// Config A: one 2×64³ patch per step, 4 levels 16…128; config B: one 2×96³ patch, 5 levels
/// 16…256; dropout before the head. Config cpu: the `cpu` profile's network (4 levels 8…64) on its
/// batch of two 24³ training patches. Returns the network, the patch edge and the patches per step.
func benchmarkConfig(_ name: String) -> (UNet3DConfig, Int, Int) {
    if name == "cpu" {
        return (
            UNet3DConfig(
                inputChannels: 2, levels: 4, baseChannels: 8, convolutionsPerLevel: 2, groupNormGroups: 4,
                dropoutRate: 0.5, dropoutPlacement: .lastDecoderBlock, dropoutMode: .trainAndTest), 24, 2
        )
    }
    let levels = name == "B" ? 5 : 4
    let config = UNet3DConfig(
        inputChannels: 2, levels: levels, baseChannels: 16, convolutionsPerLevel: 2,
        groupNormGroups: 8, dropoutRate: 0.5, dropoutPlacement: .lastDecoderBlock,
        dropoutMode: .trainAndTest)
    return (config, name == "B" ? 96 : 64, 1)
}

/// Multiply-adds ×2 of the 3×3×3 convolutions in one training step on a `size`³ patch: forward,
/// weight gradient and input gradient (none for the first convolution, which reads the image).
func convolutionFlopsPerStep(_ config: UNet3DConfig, size: Int) -> Double {
    var flops = 0.0
    func add(_ inChannels: Int, _ outChannels: Int, level: Int, first: Bool = false) {
        let voxels = pow(Double(size >> level), 3)
        flops += 2 * 27 * Double(inChannels * outChannels) * voxels * (first ? 2 : 3)
    }
    for level in 0..<config.levels {
        let channels = config.channels(atLevel: level)
        add(
            level == 0 ? config.inputChannels : config.channels(atLevel: level - 1), channels, level: level,
            first: level == 0)
        for _ in 1..<config.convolutionsPerLevel { add(channels, channels, level: level) }
    }
    for level in 0..<(config.levels - 1) {
        let channels = config.channels(atLevel: level)
        add(config.channels(atLevel: level + 1) + channels, channels, level: level)
        for _ in 1..<config.convolutionsPerLevel { add(channels, channels, level: level) }
    }
    return flops
}

/// The two arithmetic peaks the engine's figures are compared with.
func peak() {
    let threads = ComputeThreads.count
    print(
        String(
            format: "peak on %d threads: fp32 FMA %.0f GFLOP/s, bf16 dot product %.0f GFLOP/s",
            threads, as_peak_fp32_fma(Int32(threads), 2), as_peak_bf16_dot(Int32(threads), 2)))
}

/// One 3×3×3 convolution layer on a batch of one `size`³ input: forward and backward (weights and
/// input) wall times on channels-last tensors, as GFLOP/s next to the peaks.
func convolution() {
    let (inChannels, outChannels, size) = (
        option("--in", default: 16), option("--out", default: 16), option("--size", default: 64)
    )
    var generator = SeededGenerator(seed: 1)
    let conv = Conv3D(
        inChannels: inChannels, outChannels: outChannels, kernelSize: 3, bias: false, generator: &generator)
    conv.precision = precision
    let x = randomVolume([1, size, size, size, inChannels], seed: 2)
    let dy = randomVolume([1, size, size, size, outChannels], seed: 3)
    let flops = 2 * 27 * Double(inChannels * outChannels) * pow(Double(size), 3)
    var forward: [Double] = [], backward: [Double] = []
    for run in 0..<7 {
        var y = Tensor(zeros: [1])
        let f = milliseconds { y = conv(x) }
        let b = milliseconds { _ = conv.backward(dy) }
        if run >= 2 {
            forward.append(f)
            backward.append(b)
        }
        _ = y
    }
    print(
        String(
            format:
                "conv %d→%d on %d^3, %d threads, %@: forward %.2f ms (%.0f GFLOP/s), backward %.2f ms (%.0f GFLOP/s, weights and input)",
            inChannels, outChannels, size, ComputeThreads.count, precision.rawValue, median(forward),
            flops / median(forward) / 1e6, median(backward), 2 * flops / median(backward) / 1e6))
    print("  kernels: " + conv.implementation(forInputShape: x.shape))
}

func train() {
    let name = arguments.dropFirst().first { ["A", "B", "cpu"].contains($0) } ?? "A"
    let steps = option("--steps", default: 10)
    let (config, size, batch) = benchmarkConfig(name)
    let network = UNet3D(config: config, seed: 1)
    network.precision = precision
    let optimizer = SGD(parameters: network.parameters, learningRate: 1e-3)
    let loss = DiceBCELoss()
    let image = randomVolume([batch, 2, size, size, size], seed: 2)
    let label = Tensor(stackingBatches: Array(repeating: sphereLabel(size), count: batch))
    func step() {
        let (logits, _) = network.forward(image, phase: .training)
        network.backward(loss(logits: logits, target: label).gradient)
        optimizer.step()
    }
    for _ in 0..<2 { step() }
    var cpu: [Double] = []
    let times = (0..<steps).map { _ in
        let before = cpuMilliseconds()
        let wall = milliseconds(step)
        cpu.append(cpuMilliseconds() - before)
        return wall
    }
    print(
        String(
            format:
                "train %@: %dx2x%d^3, %d levels, %d threads, %@: median %.0f ms/step (min %.0f, max %.0f, %d steps), CPU %.0f ms/step, peak RSS %.0f MB",
            name, batch, size, config.levels, ComputeThreads.count, precision.rawValue, median(times),
            times.min()!, times.max()!, steps, median(cpu), peakResidentMB()))
    let flops = Double(batch) * convolutionFlopsPerStep(config, size: size)
    print(
        String(
            format: "  convolutions: %.1f GFLOP per step, %.0f GFLOP/s at the median step", flops / 1e9,
            flops / median(times) / 1e6))
    print(
        "  kernels of the widest convolution: "
            + network.widestConvolutionKernels(batch: batch, spatial: [size, size, size]))
}

/// Runs `body` once and prints its wall and CPU seconds.
func report(_ label: String, _ body: () -> Void) {
    let cpuBefore = cpuMilliseconds()
    let wall = milliseconds(body)
    print(String(format: "  %@: %.2f s (CPU %.2f s)", label, wall / 1000, (cpuMilliseconds() - cpuBefore) / 1000))
}

func infer() {
    let (config, _, _) = benchmarkConfig("A")
    let network = UNet3D(config: config, seed: 1)
    network.precision = precision
    let volume = randomVolume([2, 128, 128, 160], seed: 3)
    let patch = randomVolume([2, 64, 64, 64], seed: 4)
    print("infer: config A network, \(ComputeThreads.count) threads, \(precision.rawValue)")
    let single = Predictor(strategy: .wholeVolume)
    _ = single.predict(network, image: patch)
    report("one 64^3 forward") { _ = single.predict(network, image: patch) }
    if !arguments.contains("--skip-windows") {
        let windows = Predictor(strategy: .slidingWindow(SlidingWindow(size: [64, 64, 64], overlap: 0.75)))
        report("128x128x160, 64^3 windows, 75% overlap, Gaussian blending") {
            _ = windows.predict(network, image: volume)
        }
    }
    if !arguments.contains("--skip-whole") {
        report("128x128x160 whole volume") { _ = single.predict(network, image: volume) }
    }
    if !arguments.contains("--skip-mc-dropout") {
        report("20 MC-dropout passes on 64^3") {
            _ = single.monteCarloDropout(network, image: patch, passes: 20, seed: 5)
        }
    }
    print(String(format: "  peak RSS %.0f MB", peakResidentMB()))
}

func evaluate() {
    let (config, _, _) = benchmarkConfig("cpu")
    let checkpoint: Data
    do { checkpoint = try Checkpoint.encode(UNet3D(config: config, seed: 1)) } catch { fatalError("\(error)") }
    let volume = randomVolume([2, 47, 57, 47], seed: 3)
    let single = Predictor(strategy: .wholeVolume)
    let cases = option("--cases", default: 20)
    print(
        "evaluate: cpu network, 2×47×57×47, \(ComputeThreads.count) threads, \(cases) jobs, checkpoint \(checkpoint.count / 1024) KiB"
    )
    var decoding: [Double] = [], first: [Double] = [], second: [Double] = []
    for _ in 0..<cases {
        var network: UNet3D!
        decoding.append(milliseconds { network = try! Checkpoint.decode(checkpoint).network })
        first.append(milliseconds { _ = single.predict(network, image: volume) })
        second.append(milliseconds { _ = single.predict(network, image: volume) })
    }
    print(
        String(
            format: "  median ms: decode %.1f, first pass of the new network %.1f, second pass %.1f", median(decoding),
            median(first), median(second)))
}

ComputeThreads.$count.withValue(option("--threads", default: 2)) {
    switch arguments.first {
    case "train": train()
    case "infer": infer()
    case "evaluate": evaluate()
    case "peak": peak()
    case "conv": convolution()
    default:
        print(
            "usage: neural-benchmark train [A|B|cpu] [--steps N] [--threads T] [--precision fp32|bf16] | peak [--threads T] | conv [--in C] [--out C] [--size N] [--precision fp32|bf16] | infer [--threads T] [--precision fp32|bf16] [--skip-windows] [--skip-whole] [--skip-mc-dropout] | evaluate [--cases N] [--threads T]"
        )
        exit(2)
    }
}
