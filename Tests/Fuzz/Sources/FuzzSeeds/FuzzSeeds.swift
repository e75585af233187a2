import Foundation
import Neural
import Proto
import SwiftProtobuf
import Volume

/// Writes the seed corpus of every harness with ActiveSeg's own writers: small valid inputs that
/// reach deep into each reader, for libFuzzer to mutate. `scripts/fuzz --seeds` runs it; the corpus
/// under `Tests/Fuzz/Corpus` is committed.
///
///     FuzzSeeds CORPUS_FOLDER
@main enum FuzzSeeds {
    static func main() throws {
        guard CommandLine.arguments.count == 2 else {
            FileHandle.standardError.write(Data("usage: FuzzSeeds CORPUS_FOLDER\n".utf8))
            exit(2)
        }
        let corpus = URL(fileURLWithPath: CommandLine.arguments[1], isDirectory: true)
        try nifti(corpus.appendingPathComponent("nifti"))
        try checkpoints(corpus.appendingPathComponent("checkpoint"))
        try manifests(corpus.appendingPathComponent("manifest"))
        try bratsRoots(corpus.appendingPathComponent("brats"))
        try datasets(corpus.appendingPathComponent("nnunet-dataset"))
        try rpc(corpus.appendingPathComponent("rpc"))
    }

    static func folder(_ url: URL) throws -> URL {
        try? FileManager.default.removeItem(at: url)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// 4×3×2 images in each version, byte order the host's, plain and gzip, every datatype family,
    /// scaled, and a two-channel 4D image; affines with and without an sform.
    static func nifti(_ url: URL) throws {
        let folder = try folder(url)
        let shape = GridShape(4, 3, 2)
        let voxels = (0..<shape.count).map { Float($0 % 5) }
        let oblique = Affine(elements: [0.9, 0.1, 0, -10, -0.1, 0.9, 0, 20, 0, 0, 2.5, -30, 0, 0, 0, 1])
        let image = Volume(shape: shape, affine: oblique, voxels: voxels)
        let labels = LabelVolume(
            shape: shape, affine: .scaling(1, 1, 1), voxels: voxels.map { [0, 1, 2, 4, 0][Int($0)] })
        func write(_ name: String, _ body: (URL) throws -> Void) throws {
            try body(folder.appendingPathComponent(name))
        }
        try write("nifti1-float32.nii") { try NIfTI.write(image, to: $0) }
        try write("nifti2-float32.nii") { try NIfTI.write(image, to: $0, version: .nifti2) }
        try write("nifti1-int16-scaled.nii.gz") {
            try NIfTI.write(image, to: $0, datatype: .int16, slope: 0.5, intercept: 1)
        }
        try write("nifti2-float64.nii.gz") { try NIfTI.write(image, to: $0, datatype: .float64, version: .nifti2) }
        try write("nifti1-uint8-labels.nii") { try NIfTI.write(labels, to: $0) }
        try write("nifti2-two-channels.nii") { try NIfTI.write(channels: [image, image], to: $0, version: .nifti2) }
    }

    /// The smallest networks with and without a second level, biases and dropout, each with training
    /// metadata. The tiny profile's network (80 KB of weights) is left out: libFuzzer would grow
    /// every input to its size, and the weights past the JSON header are only copied.
    static func checkpoints(_ url: URL) throws {
        let folder = try folder(url)
        let configs: [(String, UNet3DConfig)] = [
            (
                "one-level",
                UNet3DConfig(
                    inputChannels: 1, levels: 1, baseChannels: 2, convolutionsPerLevel: 1,
                    groupNormGroups: 1, dropoutRate: 0, dropoutMode: .none)
            ),
            (
                "two-levels-bias",
                UNet3DConfig(
                    inputChannels: 2, levels: 2, baseChannels: 2, convolutionsPerLevel: 1,
                    groupNormGroups: 2, dropoutRate: 0.5, dropoutPlacement: .everyDecoderBlock,
                    convolutionBias: true)
            ),
        ]
        for (name, config) in configs {
            let data = try Checkpoint.encode(UNet3D(config: config, seed: 1), metadata: ["round": "1", "seed": "7"])
            try data.write(to: folder.appendingPathComponent("\(name).safetensors"))
        }
    }

    /// Manifests with quoting, an unlabelled case, absolute paths, a path that leaves the root and one
    /// through a symbolic link out of it (the harness's root has `escape` pointing above it).
    static func manifests(_ url: URL) throws {
        let folder = try folder(url)
        let files = [
            "plain.csv":
                "case_id,t1c,t2,label\ncase1,case1/t1c.nii.gz,case1/t2.nii.gz,case1/seg.nii.gz\ncase2,case2/t1c.nii,case1/t2.nii.gz,\n",
            "quoted.csv": "Case_ID, T1C ,T2,Label\r\n\"case \"\"1\"\"\",\"case1/t1c.nii.gz\",case1/t2.nii.gz,\"\"\r\n",
            "hostile.csv":
                "case_id,t1c,t2,label\nup,../outside.nii.gz,case1/t2.nii.gz,\nlink,escape/outside.nii.gz,case1/t2.nii.gz,\nabsolute,/etc/passwd,case1/t2.nii.gz,\nshort,case1/t1c.nii.gz\n,case1/t1c.nii.gz,case1/t2.nii.gz,\n",
        ]
        for (name, text) in files {
            try Data(text.utf8).write(to: folder.appendingPathComponent(name))
        }
    }

    /// BraTS roots in the `brats` harness's line format (see `FuzzBraTS`): the 2021 and 2023 naming,
    /// a case without its T2, one with two T2 files, and links out of the root, to a file and to
    /// themselves.
    static func bratsRoots(_ url: URL) throws {
        let folder = try folder(url)
        let roots = [
            "brats2021.txt": """
            BraTS2021_00001/
            BraTS2021_00001/BraTS2021_00001_t1ce.nii.gz
            BraTS2021_00001/BraTS2021_00001_t2.nii.gz
            BraTS2021_00001/BraTS2021_00001_seg.nii.gz
            BraTS2021_00002/BraTS2021_00002_t1ce.nii
            """,
            "brats2023.txt": """
            BraTS-GLI-00001-000/BraTS-GLI-00001-000-t1c.nii
            BraTS-GLI-00001-000/BraTS-GLI-00001-000-t2w.nii
            BraTS-GLI-00001-000/BraTS-GLI-00001-000-seg.nii.gz
            BraTS-GLI-00001-000/BraTS-GLI-00001-000-t2w.nii.gz
            """,
            "links.txt": """
            case1/case1_t1ce.nii.gz
            @case1/case1_t2.nii.gz=/etc/passwd
            @escape=..
            @loop=loop
            @case2=/tmp
            case3/case3_t1ce.nii.gz/
            """,
        ]
        for (name, text) in roots {
            try Data((text + "\n").utf8).write(to: folder.appendingPathComponent(name))
        }
    }

    /// `dataset.json` as nnU-Net v2 writes it for BraTS, with the channel roles in two orders, a
    /// custom file ending and labels the enhancing tumor is found among.
    static func datasets(_ url: URL) throws {
        let folder = try folder(url)
        let files = [
            "brats.json": """
            {"channel_names": {"0": "T1", "1": "T1ce", "2": "T2", "3": "FLAIR"},
             "labels": {"background": 0, "edema": 1, "non-enhancing tumor": 2, "enhancing tumour": 3},
             "numTraining": 2, "file_ending": ".nii.gz"}
            """,
            "reordered.json": """
            {"channel_names": {"3": "T1Gd", "0": "t2w"}, "labels": {"background": 0, "ET": 4},
             "file_ending": ".nii", "name": "Dataset002"}
            """,
        ]
        for (name, text) in files {
            try Data(text.utf8).write(to: folder.appendingPathComponent(name))
        }
    }

    /// One valid message per decoder of the RPC harness, behind its selector byte (see `FuzzRPC`).
    static func rpc(_ url: URL) throws {
        let folder = try folder(url)
        var index: UInt8 = 0
        func seed(_ name: String, _ message: any SwiftProtobuf.Message, prefix: [UInt8] = []) throws {
            let data = Data([index] + prefix) + (try message.serializedData())
            try data.write(to: folder.appendingPathComponent(String(format: "%02d-%@.bin", index, name)))
        }
        func next(_ name: String, _ message: any SwiftProtobuf.Message, prefix: [UInt8] = []) throws {
            try seed(name, message, prefix: prefix)
            index += 1
        }
        let candidates = (1...6).map { number in
            Candidate.with {
                $0.caseID = "case-\(number)"
                $0.sourceName = "BraTS_\(number)"
                $0.score = Double(number) / 7
                $0.features = [Float(number), Float(7 - number), 0.5]
            }
        }
        let select = SelectRequest.with {
            $0.requestID = "r1"
            $0.candidates = candidates
            $0.annotated = [
                CaseFeatures.with {
                    $0.caseID = "case-0"
                    $0.features = [1, 2, 3]
                }
            ]
            $0.topK = 4
            $0.pick = 2
            $0.restriction = .representative
            $0.method = .dropoutTrainTest
            $0.zScoreFeatures = true
            $0.seed = 3
        }
        try seed("select-representative", select)
        try seed(
            "select-random",
            SelectRequest.with {
                $0 = select
                $0.method = .random
                $0.restriction = .none
            })
        try next(
            "select-non-similar",
            SelectRequest.with {
                $0 = select
                $0.restriction = .nonSimilar
            })

        let dice = (1...5).map { number in
            CaseDice.with {
                $0.caseID = "test-\(number)"
                $0.dice = 0.6 + Double(number) / 50
            }
        }
        let stats = StatsRequest.with {
            $0.requestID = "s1"
            $0.fullData = dice
            $0.fullDataCases = 40
            $0.rounds = [1, 2].map { round in
                RoundDice.with {
                    $0.round = UInt32(round)
                    $0.annotatedCases = UInt32(10 * round)
                    $0.dice = dice.map { entry in
                        CaseDice.with {
                            $0.caseID = entry.caseID
                            $0.dice = entry.dice - 0.05 / Double(round)
                        }
                    }
                }
            }
            $0.test = .paired
            $0.alpha = 0.05
        }
        try seed("stats-paired", stats)
        try next(
            "stats-welch-bounds",
            StatsRequest.with {
                $0 = stats
                $0.test = .welch
                $0.bounds = Proto.EquivalenceBounds.with {
                    $0.lower = -0.1
                    $0.upper = 0.1
                }
            })

        let preprocessing = PreprocessingConfig.with {
            $0.orientation = "LPS"
            $0.spacingMm = 1
            $0.normalize = true
        }
        try seed(
            "ingest-manifest",
            IngestRequest.with {
                $0.requestID = "i1"
                $0.datasetID = "00000000-0000-4000-8000-0000000000aa"
                $0.manifest = ManifestCsv.with {
                    $0.path = "/data/manifest.csv"
                    $0.targetLabels = [4]
                }
                $0.preprocessing = preprocessing
                $0.testShare = 0.2
                $0.splitSeed = 9
            })
        try next(
            "ingest-nnunet",
            IngestRequest.with {
                $0.datasetID = "00000000-0000-4000-8000-0000000000ab"
                $0.nnunetRaw = NnunetRawFolder.with {
                    $0.path = "/data/Dataset001"
                    $0.t1CChannel = 1
                    $0.t2Channel = 2
                }
                $0.preprocessing = preprocessing
            })

        let spec = ExperimentSpec.with {
            $0.name = "fuzz"
            $0.datasetID = "00000000-0000-4000-8000-0000000000aa"
            $0.strategy = .dropoutTrainTest
            $0.restriction = .representative
            $0.initialCases = 4
            $0.topK = 4
            $0.pick = 2
            $0.stop = StopRule.with {
                $0.maxRounds = 2
                $0.atEquivalence = true
            }
            $0.seeds = [1, 2]
            $0.profile = .tiny
            $0.passes = 4
            $0.annotation = .oracle
            $0.hyperParameters = HyperParameters.with {
                $0.patchEdge = 16
                $0.maxEpochs = 3
                $0.learningRate = 0.01
            }
        }
        try seed(
            "create",
            CreateExperimentRequest.with {
                $0.experimentID = "00000000-0000-4000-8000-0000000000e1"
                $0.spec = spec
            })
        try next(
            "create-bootstrap",
            CreateExperimentRequest.with {
                $0.spec = spec
                $0.spec.strategy = .bootstrap
                $0.spec.bootstrapMembers = 2
                $0.spec.restriction = .nonSimilar
            })
        try next("start", StartExperimentRequest.with { $0.experimentID = "00000000-0000-4000-8000-0000000000e1" })
        try next("status", ExperimentStatusRequest.with { $0.experimentID = "00000000-0000-4000-8000-0000000000e1" })
        try next(
            "cancel",
            CancelExperimentRequest.with {
                $0.experimentID = "00000000-0000-4000-8000-0000000000e1"
                $0.reason = "x"
            })
        try next("list", ListExperimentsRequest.with { $0.datasetID = "00000000-0000-4000-8000-0000000000aa" })
        try next(
            "compare",
            CompareExperimentsRequest.with {
                $0.experimentIds = ["00000000-0000-4000-8000-0000000000e1", "00000000-0000-4000-8000-0000000000e2"]
                $0.baselineExperimentID = "00000000-0000-4000-8000-0000000000e2"
            })
        try next(
            "import-labels",
            LabelImportRequest.with {
                $0.experimentID = "00000000-0000-4000-8000-0000000000e1"
                $0.round = 1
                $0.labels = [
                    ImportedLabel.with {
                        $0.caseID = "BraTS_1"
                        $0.path = "/labels/BraTS_1_seg.nii.gz"
                    }
                ]
            })

        let cases = (1...5).map { number in CaseRef.with { $0.caseID = "case-\(number)" } }
        let train = TrainJob.with {
            $0.jobID = "00000000-0000-4000-8000-0000000000j1"
            $0.experimentID = "00000000-0000-4000-8000-0000000000e1"
            $0.datasetID = "00000000-0000-4000-8000-0000000000d1"
            $0.round = 1
            $0.trainingCases = cases
            $0.seed = 11
            $0.profile = .tiny
            $0.dropoutMode = .train
            $0.hyperParameters = HyperParameters.with {
                $0.patchEdge = 16
                $0.dropoutRate = 0.25
            }
        }
        try seed("train", train)
        try next(
            "train-bootstrap",
            TrainJob.with {
                $0 = train
                $0.bootstrapMember = 1
                $0.validationCases = [cases[0]]
                $0.clearHyperParameters()
            })
        try next(
            "score",
            ScoreJob.with {
                $0.jobID = "00000000-0000-4000-8000-0000000000j2"
                $0.experimentID = "00000000-0000-4000-8000-0000000000e1"
                $0.round = 1
                $0.models = [ModelRef.with { $0.modelID = "00000000-0000-4000-8000-0000000000m1" }]
                $0.caseRef = cases[0]
                $0.method = .dropoutTrainTest
                $0.passes = 4
                $0.topFraction = 0.001
                $0.role = .candidate
            })
        try next("ping", HealthPing())

        // Replies and notices: byte 1 is 0 for a result, 1 for an error reply.
        let error = ErrorReply.with {
            $0.code = .invalidArgument
            $0.message = "no"
            $0.details = ["field": "pick"]
        }
        let results: [(String, any SwiftProtobuf.Message)] = [
            (
                "select-result",
                SelectResult.with {
                    $0.requestID = "r1"
                    $0.pickedCaseIds = ["case-1", "case-2"]
                }
            ),
            (
                "stats-result",
                StatsResult.with {
                    $0.requestID = "s1"
                    $0.firstEquivalentRound = 2
                    $0.firstEquivalentShare = 0.5
                }
            ),
            (
                "ingest-result",
                IngestResult.with {
                    $0.datasetID = "d"
                    $0.outcomes = [CaseOutcome.with { $0.failed = CaseFailed.with { $0.reason = "x" } }]
                }
            ),
            (
                "experiment-status",
                ExperimentStatus.with {
                    $0.spec = spec
                    $0.state = .running
                    $0.round = 1
                }
            ),
            (
                "experiment-list",
                ExperimentList.with { $0.experiments = [ExperimentStatus.with { $0.experimentID = "e" }] }
            ),
            ("comparison", ExperimentComparison.with { $0.outcomes = [StrategyOutcome.with { $0.share = 0.4 }] }),
            ("label-import-result", LabelImportResult.with { $0.acceptedCaseIds = ["BraTS_1"] }),
            (
                "pong",
                HealthPong.with {
                    $0.service = "Selector"
                    $0.version = "1"
                }
            ),
            (
                "train-notice",
                TrainResult.with {
                    $0.jobID = "j"
                    $0.metrics = TrainMetrics.with { $0.epochs = 3 }
                }
            ),
            (
                "score-notice",
                ScoreResult.with {
                    $0.jobID = "j"
                    $0.features = [1, 2]
                    $0.dice = 0.5
                }
            ),
        ]
        for (name, result) in results {
            try seed(name, result, prefix: [0])
            try next("\(name)-error", error, prefix: [1])
        }

        // Events: the ce-time header, a zero byte, the body.
        let time = Array("2026-12-01T10:20:30.456Z".utf8) + [0]
        let events: [(String, any SwiftProtobuf.Message)] = [
            ("round-started", RoundStarted.with { $0.round = 1 }),
            ("phase-changed", PhaseChanged.with { $0.phase = .training }),
            (
                "train-progress",
                TrainProgress.with {
                    $0.epoch = 2
                    $0.trainingLoss = 0.5
                }
            ),
            ("round-finished", RoundFinished.with { $0.round = 1 }),
            ("experiment-finished", ExperimentFinished.with { $0.experimentID = "e" }),
            (
                "case-ingested",
                CaseIngested.with {
                    $0.shape = [4, 3, 2]
                    $0.labelVoxels = 5
                }
            ),
            (
                "case-failed",
                CaseFailed.with {
                    $0.reason = "truncated"
                    $0.file = "t1c.nii.gz"
                }
            ),
        ]
        for (name, event) in events {
            try next(name, event, prefix: time)
        }
    }
}
