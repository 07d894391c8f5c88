import Foundation
// scanledgerd: the daemon. Wiring arrives with the service issue.
FileHandle.standardError.write(Data("<3>scanledgerd: the service is not built yet; see README.md\n".utf8))
exit(1)
