// Module GS1: see docs/ARCHITECTURE.md. Filled in by its issue.
import ScanModel
