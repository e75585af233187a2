import SwiftProtobufPluginLibrary

/// Generates the NATS subject map from the `service` blocks of the proto files, so the subjects are
/// derived from the contracts and never written a second time by hand.
///
/// For every file with services it writes `<file>.rpc.swift`, one enum per service with a typed
/// `RPCMethod` per rpc; and `ProtoContracts.swift`, which lists every method and records the
/// checksum of the proto sources it was generated from (parameter `SourceSHA256=<hex>`).
@main
struct SubjectMapGenerator: CodeGenerator {
    var supportedFeatures: [Google_Protobuf_Compiler_CodeGeneratorResponse.Feature] { [.proto3Optional] }

    func generate(
        files: [FileDescriptor],
        parameter: any CodeGeneratorParameter,
        protoCompilerContext: any ProtoCompilerContext,
        generatorOutputs: any GeneratorOutputs
    ) throws {
        let options = try GeneratorOptions(parameter)
        let namer = SwiftProtobufNamer()
        var enumNames: [String] = []
        for file in files where !file.services.isEmpty {
            try rejectStreaming(file)
            var printer = CodePrinter(indent: "    ".unicodeScalars)
            printer.print(header(source: file.name))
            for service in file.services {
                let name = serviceEnumName(service)
                enumNames.append(name)
                printer.print("\n")
                printService(service, enumName: name, namer: namer, into: &printer)
            }
            try generatorOutputs.add(fileName: outputName(for: file), contents: printer.content)
        }
        var index = CodePrinter(indent: "    ".unicodeScalars)
        printIndex(enumNames: enumNames, sourceSHA256: options.sourceSHA256, into: &index)
        try generatorOutputs.add(fileName: "ProtoContracts.swift", contents: index.content)
    }

    private func printService(
        _ service: ServiceDescriptor, enumName: String, namer: SwiftProtobufNamer, into p: inout CodePrinter
    ) {
        p.print(service.protoSourceComments())
        p.print("public enum \(enumName): Sendable {\n")
        p.indent()
        for (position, method) in service.methods.enumerated() {
            let request = namer.fullName(message: method.inputType)
            let response = namer.fullName(message: method.outputType)
            let comments = method.protoSourceComments()
            if position > 0 { p.print("\n") }
            if !comments.isEmpty { p.print(comments, "///\n") }
            p.print("/// `rpc \(method.name)(\(method.inputType.name)) returns (\(method.outputType.name))`\n")
            p.print(
                "public static let \(propertyName(method)) = RPCMethod<\(request), \(response)>(\n",
                "    service: \"\(service.name)\", method: \"\(method.name)\", subject: \"\(subject(method))\"\n",
                ")\n"
            )
        }
        p.print("\n")
        p.print("/// Every method of the service, in declaration order.\n")
        p.print("public static let methods: [AnyRPCMethod] = [\n")
        p.printIndented(service.methods.map { "AnyRPCMethod(\(propertyName($0))),\n" }.joined())
        p.print("]\n")
        p.outdent()
        p.print("}\n")
    }

    private func printIndex(enumNames: [String], sourceSHA256: String, into p: inout CodePrinter) {
        p.print(header(source: "every file under Protos/"))
        p.print(
            "\n",
            "/// The contracts as a whole: every rpc method, and the checksum of the proto sources this code\n",
            "/// was generated from (compared with the sources by a test, so a forgotten regeneration fails).\n",
            "public enum ProtoContracts: Sendable {\n"
        )
        p.indent()
        p.print(
            "/// SHA-256 over the sorted `.proto` paths and contents under `Protos/`.\n",
            "public static let sourceSHA256 = \"\(sourceSHA256)\"\n",
            "\n",
            "/// Every rpc method of every service.\n",
            "public static let methods: [AnyRPCMethod] =\n"
        )
        let lists = enumNames.isEmpty ? ["[]"] : enumNames.map { "\($0).methods" }
        p.printIndented(lists.joined(separator: "\n    + ") + "\n")
        p.outdent()
        p.print("}\n")
    }

    /// A NATS request carries one message each way, so streaming methods have no subject to map to.
    private func rejectStreaming(_ file: FileDescriptor) throws {
        for service in file.services {
            for method in service.methods where method.clientStreaming || method.serverStreaming {
                throw GenerationError(
                    "\(file.name): rpc \(service.name).\(method.name) streams, which NATS request-reply cannot carry"
                )
            }
        }
    }

    /// The subject rule of the bus: `<proto package>.<service>.<method>`, lower-cased.
    private func subject(_ method: MethodDescriptor) -> String {
        "\(method.file.package).\(method.service.name).\(method.name)".lowercased()
    }

    private func serviceEnumName(_ service: ServiceDescriptor) -> String {
        "\(service.name)RPC"
    }

    private func propertyName(_ method: MethodDescriptor) -> String {
        let name = NamingUtils.toLowerCamelCase(method.name)
        let reserved = swiftKeywordsUsedInDeclarations.union(swiftKeywordsUsedInStatements)
            .union(swiftKeywordsUsedInExpressionsAndTypes)
        return reserved.contains(name) ? "`\(name)`" : name
    }

    private func outputName(for file: FileDescriptor) -> String {
        let base = file.name.hasSuffix(".proto") ? String(file.name.dropLast(".proto".count)) : file.name
        return base + ".rpc.swift"
    }

    private func header(source: String) -> String {
        """
        // DO NOT EDIT.
        // Generated by protoc-gen-activeseg (scripts/gen-protos) from \(source).

        """
    }
}
