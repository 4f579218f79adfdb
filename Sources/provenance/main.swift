import Foundation
import ProvenanceCLI

// The executable only starts the tool: everything it does lives in ProvenanceCLI (and is tested there).
// Arguments from their bytes (FSPath): a file name that is not UTF-8 must still name its file.
exit(ProvenanceTool.main(ProvenanceTool.commandLine()))
