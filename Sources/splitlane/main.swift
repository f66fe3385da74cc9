import SplitlaneCLI
import Foundation

exit(Splitlane.main(Array(CommandLine.arguments.dropFirst())))
