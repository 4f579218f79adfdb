import Foundation
import ProvenanceCLI

// The executable only starts the tool: everything it does lives in ProvenanceCLI (and is tested there).
exit(ProvenanceTool.main(Array(CommandLine.arguments.dropFirst())))
