// Module Pipeline: see docs/ARCHITECTURE.md. Filled in by its issue.
import ScanModel
